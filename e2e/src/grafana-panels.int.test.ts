// Runs every ClickHouse panel and template-variable query of grafana/dashboards/*.json with seeded
// data, after expanding the plugin's macros, on two servers: the test ClickHouse (Debian's 18.16) and
// a current one (26.x through chDB, e2e/src/current-clickhouse/ — the Grafana ClickHouse plugin
// itself needs a current server, so that is where users run these panels). Each panel returns rows
// with the columns its description promises, over a short range (1-minute rollups and raw rows) and
// a 30-day range (1-hour rollups), with "All" and with one host selected.
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createStorage, ensureDatabase, migrate, type Storage } from '@renderwatch/collector';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chdbMissing, startCurrentClickHouse, type CurrentClickHouse } from './current-clickhouse/chdb-process.js';
import { expandGrafanaSql, type GrafanaQueryContext } from './grafana-macros.js';
import { SEED_HOSTS, SEED_TENANT, seed } from './grafana-seed.js';

const DIR = join(import.meta.dirname, '../../grafana/dashboards');

interface Target {
  refId: string;
  rawSql?: string;
  format?: number;
  datasource?: { type: string };
}
interface Panel {
  id: number;
  title: string;
  type: string;
  description?: string;
  targets: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: { rawSql?: string } | string;
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboards: Dashboard[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard)
  .filter((d) => d.panels.some((p) => p.targets.some((t) => t.datasource?.type === 'grafana-clickhouse-datasource')));

const panels = dashboards.flatMap((d) => d.panels.map((p) => ({ uid: d.uid, panel: p })));
const columnsOf = (p: Panel): string[] => /Columns: ([^.]+)\./.exec(p.description ?? '')?.[1]?.split(', ') ?? [];

describe('grafana macro expansion', () => {
  const ctx: GrafanaQueryContext = { fromS: 1000, toS: 2000, intervalS: 30, vars: { tenant: ['a'], host: 'All', gpu: ["g'1", 'g2'] } };
  it.each([
    ['$__timeFilter(ts)', 'ts >= toDateTime(1000) AND ts <= toDateTime(2000)'],
    ['$__fromTime - $__toTime', 'toDateTime(1000) - toDateTime(2000)'],
    ['intDiv(x, $__interval_s)', 'intDiv(x, 30)'],
    ['$__timeInterval(ts)', 'toStartOfInterval(toDateTime(ts), INTERVAL 30 second)'],
    ['$__conditionalAll(host IN (${host:singlequote}), $host)', '1=1'],
    ['$__conditionalAll(gpu_uuid IN (${gpu:singlequote}), $gpu)', "gpu_uuid IN ('g\\'1','g2')"],
    ['tenant = ${tenant:singlequote}', "tenant = 'a'"],
  ])('expands %s', (sql, out) => {
    expect(expandGrafanaSql(sql, ctx)).toBe(out);
  });

  it('refuses a variable the dashboard does not define', () => {
    expect(() => expandGrafanaSql('x = $nope', ctx)).toThrow('$nope is not defined');
  });
});

const missing = chdbMissing();
if (missing !== undefined) process.stdout.write(`grafana-panels.int.test.ts: the current-ClickHouse run is skipped: ${missing}\n`);
const servers = [{ name: 'ClickHouse 18.16', current: false }, ...(missing === undefined ? [{ name: 'a current ClickHouse (chDB)', current: true }] : [])];

describe.each(servers)('grafana dashboards: panel SQL on $name', ({ current }) => {
  let storage: Storage;
  let ch: ClickHouseClient;
  let server: CurrentClickHouse | undefined;
  const database = `rw_grafana_${randomBytes(4).toString('hex')}`;
  // set once the server is up and migrated (starting chDB takes a while): panels compare with now()
  let nowS = 0;

  beforeAll(async () => {
    server = current ? await startCurrentClickHouse() : undefined;
    const url = server?.url ?? inject('clickhouseUrl');
    const opts = { url, database, username: 'default', password: '' };
    await ensureDatabase(opts);
    storage = createStorage(opts);
    await migrate(storage);
    nowS = Math.floor(Date.now() / 1000);
    await seed(storage, nowS * 1000);
    ch = createClient({ url, database });
  });
  afterAll(async () => {
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await ch?.close();
    await storage?.close();
    await server?.stop();
  });

  async function run(sql: string): Promise<{ meta: { name: string; type: string }[]; data: Record<string, unknown>[] }> {
    const rs = await ch.query({ query: sql, format: 'JSON' });
    return (await rs.json()) as { meta: { name: string; type: string }[]; data: Record<string, unknown>[] };
  }

  const ranges = [
    ['last 6 hours', 6 * 3600, 20],
    ['last 30 days', 30 * 86400, 2592],
  ] as const;
  const selections = [
    ['All hosts', { host: 'All', gpu: 'All', runtime: 'All', slo: 'All' }],
    ['one host and GPU', { host: [SEED_HOSTS[0]], gpu: ['GPU-00'], runtime: ['comfyui'], slo: ['oom_rate'] }],
  ] as const;

  it('found the five ClickHouse dashboards', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual(['renderwatch-capacity', 'renderwatch-fleet', 'renderwatch-gpu', 'renderwatch-oom', 'renderwatch-slo']);
    expect(panels.length).toBeGreaterThanOrEqual(30);
  });

  for (const [rangeName, spanS, intervalS] of ranges) {
    for (const [selName, sel] of selections) {
      it.each(panels.map((x) => [x.uid, x.panel.id, x.panel.title, x.panel] as const))(
        `%s panel %i "%s" returns its columns (${rangeName}, ${selName})`,
        async (_uid, _id, _title, panel) => {
          const ctx: GrafanaQueryContext = { fromS: nowS - spanS, toS: nowS, intervalS, vars: { tenant: [SEED_TENANT], ...sel } };
          const expected = columnsOf(panel);
          expect(expected.length).toBeGreaterThan(0);
          for (const t of panel.targets) {
            const res = await run(expandGrafanaSql(t.rawSql ?? '', ctx));
            expect(res.meta.map((m) => m.name)).toEqual(expected);
            if (!(panel.description ?? '').includes('Empty when')) expect(res.data.length).toBeGreaterThan(0);
            if (t.format === 0) expect(res.meta[0]?.type).toMatch(/^DateTime/);
          }
        },
      );
    }
  }

  it('returns a row for the silent host that stopped reporting an hour ago', async () => {
    const fleet = dashboards.find((d) => d.uid === 'renderwatch-fleet');
    const silent = fleet?.panels.find((p) => p.title.startsWith('Silent hosts'));
    const sql = expandGrafanaSql(silent?.targets[0]?.rawSql ?? '', {
      fromS: nowS - 3600,
      toS: nowS,
      intervalS: 10,
      vars: { tenant: [SEED_TENANT], host: 'All' },
    });
    const res = await run(sql);
    expect(res.data.map((r) => r.host)).toEqual(['render-99']);
  });

  it('computes the seeded OOM share per model and resolution', async () => {
    const oom = dashboards.find((d) => d.uid === 'renderwatch-oom');
    const p = oom?.panels.find((x) => x.title === 'OOM rate by model and resolution');
    const sql = expandGrafanaSql(p?.targets[0]?.rawSql ?? '', {
      fromS: nowS - 6 * 3600,
      toS: nowS,
      intervalS: 20,
      vars: { tenant: [SEED_TENANT], host: 'All', runtime: 'All' },
    });
    const [row] = (await run(sql)).data;
    // Every 10th sample of 241 per host has a job (25 each), one in three of them (i % 30 === 0) an OOM (9 each).
    // (UInt64 comes as a JSON string from 18.16 and as a number from the current server.)
    expect({ ...row, jobs_total: Number(row?.jobs_total), oom_jobs: Number(row?.oom_jobs) }).toMatchObject({
      model: 'flux1-dev',
      width: 1024,
      height: 1024,
      jobs_total: 50,
      oom_jobs: 18,
    });
  });

  it.each(dashboards.flatMap((d) => d.templating.list.filter((v) => v.type === 'query').map((v) => [d.uid, v.name, v] as const)))(
    '%s variable $%s returns values',
    async (_uid, _name, v) => {
      const rawSql = typeof v.query === 'object' ? (v.query.rawSql ?? '') : '';
      const ctx: GrafanaQueryContext = { fromS: nowS - 6 * 3600, toS: nowS, intervalS: 20, vars: { tenant: [SEED_TENANT], host: 'All' } };
      const res = await run(expandGrafanaSql(rawSql, ctx));
      expect(res.meta).toHaveLength(1);
      expect(res.data.length).toBeGreaterThan(0);
    },
  );
});
