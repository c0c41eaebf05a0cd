import type { FastifyInstance } from 'fastify';
import type { Storage } from '../../storage/clickhouse.js';

export interface HealthDeps {
  storage: Storage;
}

/**
 * /healthz: the process is up (never touches ClickHouse). /readyz: ClickHouse answers a ping
 * within the storage's ping deadline (1.5 s by default), so /readyz answers within 2 s whether
 * ClickHouse is up, slow, hung, dead or refusing; 503 with the reason and a retry hint otherwise.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    let ok = false;
    try {
      ok = await deps.storage.ping();
    } catch {
      ok = false;
    }
    if (!ok) return reply.status(503).header('retry-after', '2').send({ status: 'not ready', reason: 'ClickHouse does not answer a ping in time' });
    return { status: 'ready' };
  });
}
