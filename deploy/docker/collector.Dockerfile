# syntax=docker/dockerfile:1.7
# renderwatch collector image. Build from the repository root:
#   docker build -f deploy/docker/collector.Dockerfile -t renderwatch/collector:0.1.0 .
# Not buildable on the development machines of this project (no Docker there): the tests lint this
# file (pinned bases, multi-stage, non-root) instead.

FROM node:20.20-bookworm-slim AS build
ENV PNPM_HOME=/pnpm CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY proto/package.json proto/
COPY schema/package.json schema/
COPY collector/package.json collector/
COPY dashboard/package.json dashboard/
COPY devkit/package.json devkit/
RUN pnpm install --frozen-lockfile --filter @renderwatch/collector... --filter @renderwatch/dashboard... --filter renderwatch
COPY tooling tooling
COPY tsconfig.json ./
COPY proto proto
COPY schema schema
COPY collector collector
COPY dashboard dashboard
# tsx (root devDependency) runs the sources, so dev dependencies stay; a slimmer image waits for the
# single-file bundle of the packaging work.
RUN pnpm --filter @renderwatch/dashboard build && rm -rf dashboard/node_modules dashboard/src

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    COLLECTOR_HOST=0.0.0.0 \
    COLLECTOR_DASHBOARD_DIR=/app/dashboard/dist
WORKDIR /app
# The TypeScript sources run through tsx (no separate compile step); tsx is the root package's dependency.
COPY --from=build --chown=node:node /src /app
USER node
EXPOSE 8470 8471
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8470/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx/esm", "/app/collector/src/main.ts"]
CMD ["serve"]
