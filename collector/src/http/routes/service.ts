// The routes that are not the API: Prometheus /metrics, /openapi.json, and the dashboard (its built
// files, with every client-side route answering the app shell) or a note that it is not built.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

const HERE = dirname(fileURLToPath(import.meta.url));

/** COLLECTOR_DASHBOARD_DIR, or the workspace's dashboard/dist; undefined when it holds no index.html. */
export function dashboardDir(configured: string): string | undefined {
  const dir = configured !== '' ? resolve(configured) : join(HERE, '..', '..', '..', '..', 'dashboard', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export async function registerServiceRoutes(http: FastifyInstance, o: { registry: Registry; dashboardDir: string }): Promise<void> {
  http.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', o.registry.contentType);
    return o.registry.metrics();
  });
  http.get('/openapi.json', { schema: { hide: true } }, () => http.swagger());
  const dist = dashboardDir(o.dashboardDir);
  if (dist !== undefined) {
    await http.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false });
    // Client-side routes (/hosts/x, /slos ...) all load the app shell.
    http.get('/*', { schema: { hide: true } }, (req, reply) => {
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  } else {
    http.get('/', { schema: { hide: true } }, () => ({
      message: 'renderwatch collector: the dashboard is not built (run `pnpm --filter @renderwatch/dashboard build`)',
    }));
  }
}
