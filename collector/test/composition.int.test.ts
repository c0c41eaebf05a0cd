// The collector's composition root: buildApp describes (routes, gRPC service, jobs) and starts
// nothing; startCollector runs the jobs and counts them in /metrics; stop() stops them.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { startCollector } from '../src/collector.js';
import { parseCollectorConfig, type CollectorConfig } from '../src/config.js';
import { createStorage, ensureDatabase } from '../src/storage/clickhouse.js';
import { migrate } from '../src/storage/migrate.js';
import { raw } from '../src/storage/sql.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const DB = `rw_composition_${randomBytes(3).toString('hex')}`;
const o = { url: inject('clickhouseUrl'), database: DB, username: 'default', password: '' };

function config(): CollectorConfig {
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: o.url,
    COLLECTOR_CLICKHOUSE_DATABASE: DB,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_SLO_EVAL_INTERVAL_S: '1',
    COLLECTOR_RETENTION_INTERVAL_S: '3600',
    COLLECTOR_CAPACITY_REFRESH_S: '1',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  return cfg.config;
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

afterAll(async () => {
  const admin = createStorage({ ...o, database: 'default' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${DB}`));
  await admin.close();
});

describe('collector composition root', () => {
  it('buildApp starts no timer and registers every /api/v1 route (SLOs and alerts included) from http/', async () => {
    await ensureDatabase(o);
    const storage = createStorage(o);
    await migrate(storage);
    const before = timers();
    const app = await buildApp(config(), { storage, log: pino({ level: 'silent' }) });
    expect(timers()).toBe(before);
    expect(app.jobs.map((j) => j.name)).toEqual(['api-keys-refresh', 'slo-evaluator', 'retention', 'capacity-refresh']);
    for (const url of ['/api/v1/slos', '/api/v1/alerts', '/api/v1/fleet', '/metrics', '/openapi.json'])
      expect(app.http.hasRoute({ method: 'GET', url }), url).toBe(true);
    await app.http.close();
    await storage.close();
  });

  it('no module outside collector/src/http registers an HTTP route', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith(`http${sep}`),
    );
    const registering = files.filter((f) =>
      /\b(?:app|http|fastify|server|instance)\.(?:get|post|put|delete|patch|route)\(/.test(readFileSync(join(SRC, f), 'utf8')),
    );
    expect(registering).toEqual([]);
    // nor calls a route module's register function, except the composition root
    const calling = files.filter((f) => f !== 'app.ts' && /\bregister\w*Routes\(/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(calling).toEqual([]);
  });

  it('startCollector runs each job and counts its runs in /metrics; stop() ends them', async () => {
    const c = await startCollector(config(), pino({ level: 'silent' }));
    expect(c.jobs).toEqual(['api-keys-refresh', 'slo-evaluator', 'retention', 'capacity-refresh']);
    const runs = async (): Promise<Record<string, number>> => {
      const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
      return Object.fromEntries([...text.matchAll(/^renderwatch_collector_job_runs_total\{job="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    };
    expect(Object.keys(await runs()).sort()).toEqual(['api-keys-refresh', 'capacity-refresh', 'retention', 'slo-evaluator']);
    // the evaluator and the capacity refresh run every second: wait for both to have run
    for (let i = 0; i < 100; i++) {
      const r = await runs();
      if ((r['slo-evaluator'] ?? 0) >= 1 && (r['capacity-refresh'] ?? 0) >= 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const r = await runs();
    expect(r['slo-evaluator']).toBeGreaterThanOrEqual(1);
    expect(r['capacity-refresh']).toBeGreaterThanOrEqual(1);
    const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
    expect(text).toMatch(/^renderwatch_collector_job_failures_total\{job="slo-evaluator"\} 0$/m);
    await c.stop();
  });
});
