# syntax=docker/dockerfile:1.7
# renderwatch agent image for Kubernetes (deploy/k8s/base/agent-daemonset.yaml). Build from the
# repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t renderwatch/agent:0.1.0 .
# NVML (libnvidia-ml.so.1) and nvidia-smi are injected by the NVIDIA container runtime
# (runtimeClassName: nvidia, NVIDIA_DRIVER_CAPABILITIES=utility); the image carries no driver.
# Not buildable on the development machines of this project (no Docker there): the tests lint it.

FROM node:20.20-bookworm-slim AS build
ENV PNPM_HOME=/pnpm CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY proto/package.json proto/
COPY schema/package.json schema/
COPY agent/package.json agent/
COPY devkit/package.json devkit/
RUN pnpm install --frozen-lockfile --filter @renderwatch/agent... --filter renderwatch
COPY tooling tooling
COPY tsconfig.json ./
COPY proto proto
COPY schema schema
COPY agent agent
# tsx (root devDependency) runs the sources, so dev dependencies stay; a slimmer image waits for the
# single-file bundle of the packaging work.
RUN rm -rf agent/test agent/native-fake

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AGENT_STATE_DIR=/var/lib/renderwatch-agent \
    AGENT_METRICS_HOST=0.0.0.0 \
    AGENT_METRICS_PORT=9477
WORKDIR /app
COPY --from=build --chown=node:node /src /app
RUN mkdir -p /var/lib/renderwatch-agent && chown node:node /var/lib/renderwatch-agent
USER node
EXPOSE 9477
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9477/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx/esm", "/app/agent/src/cli.ts"]
CMD ["run"]
