// GET /api/v1/versions model hashes from the daily rollup (model_hashes_1d, migration 0013) for the
// whole days of a range plus the raw model_load events for the partial days at both ends. Loads are
// stored both before the migration (its backfill) and after (its view); every answer is checked
// against first/last seen and loads computed here from the list of inserted events.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig } from '../src/config.js';
import { splitTs } from '../src/domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../src/storage/clickhouse.js';
import { loadMigrations, migrate } from '../src/storage/migrate.js';
import { raw } from '../src/storage/sql.js';

const KEY = 'admin-key-of-tenant-a-versions-rollup';
const DAY = 86400_000;
const HOUR = 3600_000;
let c: RunningCollector;
let pre: Storage;
let db: string;
/** Midnight (UTC) six days ago: events run from D0 to D0 + 5 days, before now. */
let D0: number;

interface Load {
  host: string;
  model: string;
  hash: string;
  ms: number;
}
const loads: Load[] = [];
let seq = 0;

function row(l: Load, tenant = 'tenant-a', kind = 'model_load'): Record<string, unknown> {
  return {
    tenant,
    host: l.host,
    agent_id: `${l.host}-agent`,
    ...splitTs(l.ms),
    batch_seq: 1,
    seq: seq++,
    kind,
    runtime: 'comfyui',
    model: l.model,
    model_hash: l.hash,
    extensions: [],
  };
}

/** Loads on two hosts, three model hashes, at odd hours and ms, and exactly at midnights and hours. */
function makeLoads(fromMs: number, toMs: number, salt: number): Load[] {
  const out: Load[] = [];
  const pairs = [
    ['flux1-dev', 'aaa'],
    ['flux1-dev', 'bbb'],
    ['sdxl', 'ccc'],
  ] as const;
  for (let ms = fromMs, i = 0; ms < toMs; ms += 37 * 60_000 + 123 * ((i * salt) % 7), i++) {
    const [model, hash] = pairs[(i * 5 + salt) % 3] ?? pairs[0];
    out.push({ host: i % 4 === 0 ? 'a-2' : 'a-1', model, hash, ms });
  }
  for (let d = 0; d <= 5; d++)
    out.push(
      { host: 'a-1', model: 'flux1-dev', hash: 'aaa', ms: fromMs - (fromMs % DAY) + d * DAY },
      { host: 'a-2', model: 'sdxl', hash: 'ccc', ms: fromMs - (fromMs % DAY) + d * DAY - 1 },
    );
  return out.filter((l) => l.ms >= fromMs && l.ms < toMs);
}

/** The expected model_hashes per host for [from, to), from the inserted loads. */
function expected(fromMs: number, toMs: number, host?: string): Record<string, unknown>[] {
  const by = new Map<string, { host: string; model: string; model_hash: string; first: number; last: number; loads: number }>();
  for (const l of loads) {
    if (l.ms < fromMs || l.ms >= toMs || (host !== undefined && l.host !== host)) continue;
    const k = `${l.host}/${l.model}/${l.hash}`;
    const e = by.get(k);
    if (e === undefined) by.set(k, { host: l.host, model: l.model, model_hash: l.hash, first: l.ms, last: l.ms, loads: 1 });
    else Object.assign(e, { first: Math.min(e.first, l.ms), last: Math.max(e.last, l.ms), loads: e.loads + 1 });
  }
  const hosts = [...new Set([...by.values()].map((e) => e.host))].sort();
  return hosts.map((h) => ({
    host: h,
    model_hashes: [...by.values()]
      .filter((e) => e.host === h)
      .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.first - b.first || (a.model_hash < b.model_hash ? -1 : 1)))
      .map((e) => ({
        model: e.model,
        model_hash: e.model_hash,
        first_seen: new Date(e.first).toISOString(),
        last_seen: new Date(e.last).toISOString(),
        loads: e.loads,
      })),
  }));
}

/** The answer's model hashes and what they should be over the window it answered (the route widens a range to whole minutes or hours). */
async function modelHashes(fromMs: number, toMs: number, host?: string): Promise<{ got: Record<string, unknown>[]; want: Record<string, unknown>[] }> {
  const q = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}${host === undefined ? '' : `&host=${host}`}`;
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/versions?${q}`, { headers: { authorization: `Bearer ${KEY}` } });
  const body = (await res.json()) as { from: string; to: string; hosts: { host: string; model_hashes: unknown[] }[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { got: body.hosts.map((h) => ({ host: h.host, model_hashes: h.model_hashes })), want: expected(Date.parse(body.from), Date.parse(body.to), host) };
}

beforeAll(async () => {
  db = `rw_api_vr_${randomBytes(4).toString('hex')}`;
  D0 = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;
  const url = inject('clickhouseUrl');
  // Before migration 0013: the schema up to 0012 and loads of the first three days (the backfill's).
  await ensureDatabase({ url, database: db, username: 'default', password: '' });
  pre = createStorage({ url, database: db, username: 'default', password: '' });
  await migrate(
    pre,
    (await loadMigrations()).filter((m) => m.version < 13),
  );
  const before = makeLoads(D0 + 5 * HOUR + 17_000, D0 + 3 * DAY + 2 * HOUR, 3);
  loads.push(...before);
  await pre.insert('runtime_events', [
    ...before.map((l) => row(l)),
    // Not model hashes: an empty hash, another kind, another tenant.
    row({ host: 'a-1', model: 'flux1-dev', hash: '', ms: D0 + DAY + HOUR }),
    row({ host: 'a-1', model: 'flux1-dev', hash: 'job', ms: D0 + DAY + HOUR }, 'tenant-a', 'job_end'),
    row({ host: 'a-1', model: 'flux1-dev', hash: 'B-SECRET', ms: D0 + DAY + HOUR }, 'tenant-b'),
  ]);
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: url,
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: KEY,
    COLLECTOR_API_ADMIN_TENANT: 'tenant-a',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  // Applies 0013: the view, then the backfill of the loads above.
  c = await startCollector(cfg.config, pino({ level: 'silent' }));
  // A second run of the backfill (two collectors migrating at once) must change nothing.
  const backfill = (await loadMigrations()).find((m) => m.version === 13)?.statements.find((s) => s.startsWith('INSERT INTO model_hashes_1d'));
  if (backfill === undefined) throw new Error('no backfill statement in 0013');
  await pre.command(raw(backfill));
  // After the migration: loads through the view, some on days the backfill already holds.
  const after = makeLoads(D0 + 2 * DAY + 20 * HOUR + 999, D0 + 5 * DAY + 3 * HOUR, 5);
  loads.push(...after);
  for (let i = 0; i < after.length; i += 50)
    await c.storage.insert(
      'runtime_events',
      after.slice(i, i + 50).map((l) => row(l)),
    );
});

afterAll(async () => {
  await c.stop();
  await pre.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await pre.close();
});

describe('GET /api/v1/versions model hashes over whole days and partial edges', () => {
  it('holds the backfilled and the viewed days in the rollup', async () => {
    const days = await pre.query<{ t: string }>(raw("SELECT DISTINCT toString(t) AS t FROM model_hashes_1d WHERE tenant = 'tenant-a' ORDER BY t"));
    expect(days.map((d) => d.t)).toEqual([0, 1, 2, 3, 4, 5].map((d) => new Date(D0 + d * DAY).toISOString().slice(0, 10)));
  });

  // Offsets from D0 (set in beforeAll).
  it.each<[string, number, number]>([
    ['several whole days plus partial days at both ends', 7 * HOUR, 4 * DAY + 13 * HOUR],
    ['whole days only, from midnight to midnight', DAY, 4 * DAY],
    ['one whole day and a partial one after it', 2 * DAY, 3 * DAY + 21 * HOUR + 5000],
    ['across one midnight without a whole day (raw only)', 2 * DAY + 18 * HOUR, 3 * DAY + 6 * HOUR],
    ['everything', -DAY, 6 * DAY],
  ])('answers exactly for %s', async (_, fromOffset, toOffset) => {
    const [from, to] = [D0 + fromOffset, D0 + toOffset];
    const all = await modelHashes(from, to);
    expect(all.got).toEqual(all.want);
    expect(all.want).toHaveLength(2);
    const a2 = await modelHashes(from, to, 'a-2');
    expect(a2.got).toEqual(a2.want);
  });

  it('reads the whole days from the rollup: dropping their raw events changes nothing', async () => {
    const [from, to] = [D0 + 7 * HOUR, D0 + 4 * DAY + 13 * HOUR];
    const before = await modelHashes(from, to);
    expect(before.got).toEqual(before.want);
    // The partition of D0 + 2 days lies wholly inside the range (a test-only drop; retention drops both tables).
    await pre.command(raw(`ALTER TABLE runtime_events DROP PARTITION ${new Date(D0 + 2 * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`));
    expect((await modelHashes(from, to)).got).toEqual(before.want);
    // ... while a range that has that day as a partial edge now misses its raw loads.
    const edge = await modelHashes(D0 + 2 * DAY + 12 * HOUR, D0 + 4 * DAY);
    expect(edge.got).not.toEqual(edge.want);
  });
});
