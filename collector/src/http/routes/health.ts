import type { FastifyInstance } from 'fastify';
import type { Storage } from '../../storage/clickhouse.js';

export interface HealthDeps {
  storage: Storage;
}

/** /healthz: the process is up. /readyz: ClickHouse answers (503 with the reason otherwise). */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    let ok = false;
    try {
      ok = await deps.storage.ping();
    } catch {
      ok = false;
    }
    if (!ok) return reply.status(503).send({ status: 'not ready', reason: 'ClickHouse does not answer' });
    return { status: 'ready' };
  });
}
