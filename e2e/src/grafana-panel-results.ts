// Prints the results of selected Grafana panels against a local ClickHouse with the test seed, for
// docs/integrations.md (no Grafana screenshot is possible here). Run: npx tsx e2e/src/grafana-panel-results.ts
import { createClient } from '@clickhouse/client';
import { createStorage, ensureDatabase, migrate } from '@renderwatch/collector';
import { startLocalClickHouse } from '@renderwatch/devkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGrafanaSql } from './grafana-macros.js';
import { SEED_TENANT, seed } from './grafana-seed.js';

const PICK: [string, string][] = [
  ['fleet.json', 'Hosts now (last 5 min)'],
  ['fleet.json', 'Job outcomes'],
  ['gpu-detail.json', 'Throttle and busy share per GPU (range)'],
  ['oom.json', 'OOMs by cause (range)'],
  ['oom.json', 'OOM rate by model and resolution'],
  ['capacity.json', 'VRAM peak per workload against the GPU tiers'],
  ['capacity.json', 'GPU-hours and utilization per GPU model'],
  ['capacity.json', 'GPUs per VRAM tier'],
  ['slo.json', 'SLO status (latest evaluation in range)'],
];

const fmt = (v: unknown): string => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v));

const dir = mkdtempSync(join(tmpdir(), 'rw-grafana-results-'));
const server = await startLocalClickHouse({ dataDir: dir });
try {
  const opts = { url: server.url, database: 'renderwatch', username: 'default', password: '' };
  await ensureDatabase(opts);
  const storage = createStorage(opts);
  await migrate(storage);
  const nowS = Math.floor(Date.now() / 1000);
  await seed(storage, nowS * 1000);
  const ch = createClient({ url: server.url, database: 'renderwatch' });
  for (const [file, title] of PICK) {
    const d = JSON.parse(readFileSync(join(import.meta.dirname, '../../grafana/dashboards', file), 'utf8')) as {
      panels: { title: string; targets: { rawSql: string; format: number }[] }[];
    };
    const p = d.panels.find((x) => x.title === title);
    const t = p?.targets[0];
    if (t === undefined) throw new Error(`no panel ${title}`);
    const range = file === 'capacity.json' ? 30 * 86400 : 6 * 3600;
    const sql = expandGrafanaSql(t.rawSql, {
      fromS: nowS - range,
      toS: nowS,
      intervalS: t.format === 0 ? 1800 : 20,
      vars: { tenant: [SEED_TENANT], host: 'All', gpu: 'All', runtime: 'All', slo: 'All' },
    });
    const rows = (await (await ch.query({ query: sql, format: 'JSONEachRow' })).json()) as Record<string, unknown>[];
    process.stdout.write(`\n### ${file.replace('.json', '')} / ${title} (${range === 6 * 3600 ? 'last 6 h' : 'last 30 d'}, ${rows.length} rows)\n\n`);
    const shown = rows.slice(0, 6);
    const cols = Object.keys(shown[0] ?? {});
    process.stdout.write(`| ${cols.join(' | ')} |\n| ${cols.map(() => '---').join(' | ')} |\n`);
    for (const r of shown) process.stdout.write(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |\n`);
  }
  await ch.close();
  await storage.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
