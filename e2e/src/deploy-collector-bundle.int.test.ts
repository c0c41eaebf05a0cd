// The collector's systemd unit runs a bundle: `npm run bundle` (scripts/bundle-agent.mjs, which runs
// scripts/bundle-collector.mjs) builds collector/dist/, and the unit's ExecStart, the docs and the
// bundle agree on its name. The bundle is copied away from the checkout (as to /opt/renderwatch/
// collector) and served with plain `node` against ClickHouse: it applies every shipped migration,
// loads the default SLO file and answers /healthz and /readyz.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, raw } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const UNIT = join(ROOT, 'deploy/systemd/renderwatch-collector.service');
const DB = `rw_bundle_${process.pid}`;

describe('the collector bundle the systemd unit runs', () => {
  const opt = mkdtempSync(join(tmpdir(), 'rw-opt-'));
  const installed = join(opt, 'renderwatch', 'collector');
  let proc: ChildProcess | undefined;
  let out = '';
  let http = 0;

  beforeAll(() => {
    const r = spawnSync('node', [join(ROOT, 'scripts/bundle-collector.mjs')], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    cpSync(join(ROOT, 'collector/dist'), installed, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    proc?.kill('SIGTERM');
    const storage = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
    await storage.command(raw(`DROP DATABASE IF EXISTS ${DB}`));
    await storage.close();
    rmSync(opt, { recursive: true, force: true });
  });

  it('is what the unit starts, under the name the docs give', () => {
    const exec = readFileSync(UNIT, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('ExecStart='));
    expect(exec).toBe('ExecStart=/usr/bin/node /opt/renderwatch/collector/renderwatch-collector.mjs serve');
    expect(existsSync(join(ROOT, 'collector/dist/renderwatch-collector.mjs'))).toBe(true);
    const docs = readFileSync(join(ROOT, 'docs/integrations.md'), 'utf8');
    expect(docs).toContain('/opt/renderwatch/collector/renderwatch-collector.mjs');
    expect(docs).not.toMatch(/renderwatch-(agent|collector)\.js\b/);
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toContain('"bundle": "node scripts/bundle-agent.mjs"');
    expect(readFileSync(join(ROOT, 'scripts/bundle-agent.mjs'), 'utf8')).toContain('await bundleCollector();');
  });

  it('serves from a copy outside the checkout with plain node: migrations applied, default SLOs loaded, healthy and ready', async () => {
    http = await freePort();
    const grpc = await freePort();
    proc = spawn('node', [join(installed, 'renderwatch-collector.mjs'), 'serve'], {
      cwd: opt,
      env: {
        PATH: process.env.PATH,
        COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
        COLLECTOR_CLICKHOUSE_DATABASE: DB,
        COLLECTOR_HOST: '127.0.0.1',
        COLLECTOR_HTTP_PORT: String(http),
        COLLECTOR_GRPC_PORT: String(grpc),
        COLLECTOR_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    let ready = 0;
    for (let i = 0; i < 300 && proc.exitCode === null && ready !== 200; i++) {
      ready = await fetch(`http://127.0.0.1:${http}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready, out).toBe(200);
    expect((await fetch(`http://127.0.0.1:${http}/healthz`)).status).toBe(200);
    const storage = createStorage({ url: inject('clickhouseUrl'), database: DB, username: 'default', password: '' });
    const applied = await storage.query<{ name: string }>(raw('SELECT name FROM schema_migrations ORDER BY name'));
    await storage.close();
    const shipped = readdirSync(join(ROOT, 'collector/src/storage/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect([...new Set(applied.map((a) => a.name))]).toEqual(shipped);
    const slos = (await (await fetch(`http://127.0.0.1:${http}/api/v1/slos`)).json()) as { slos?: { name: string }[] };
    expect((slos.slos ?? []).map((s) => s.name)).toContain('warm-start-ready');
  });
});
