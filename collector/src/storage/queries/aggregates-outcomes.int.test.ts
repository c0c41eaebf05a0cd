// Every job outcome of the schema (JOB_OUTCOMES) is counted, in the raw answers and in every job
// rollup the migrations create: the i-th outcome of JOB_OUTCOMES ends i + 1 jobs (so a column
// counting another outcome shows), and each outcome column must count exactly those, at every resolution. An outcome added to the schema without its column
// fails to compile in aggregates.ts (JOB_OUTCOME_COLUMNS); given a column there but no migration,
// it fails here (the rollups have no such column or their views never fill it).
import { JOB_OUTCOMES } from '@renderwatch/schema';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { splitTs } from '../../domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../clickhouse.js';
import { migrate } from '../migrate.js';
import { raw, sql } from '../sql.js';
import { resolveRange } from '../resolution.js';
import { scoped } from '../scope.js';
import { JOB_OUTCOME_COLUMNS, jobAggs } from './aggregates.js';
import { queryJobStats } from './jobs.js';

const TENANT = 'tenant-outcomes';
const db = `rw_outcomes_${randomBytes(4).toString('hex')}`;
let st: Storage;
let atMs = 0;
const cols = JOB_OUTCOMES.map((o) => JOB_OUTCOME_COLUMNS[o]);

beforeAll(async () => {
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  st = createStorage(o);
  await migrate(st);
  const at = Math.floor(Date.now() / 3600_000) * 3600_000 - 2 * 3600_000;
  atMs = at;
  await st.insert(
    'runtime_events',
    JOB_OUTCOMES.flatMap((outcome, i) => Array.from({ length: i + 1 }, (_, k) => ({ outcome, k }))).map(({ outcome, k }, n) => ({
      tenant: TENANT,
      host: 'h1',
      agent_id: 'h1-agent',
      ...splitTs(at + n * 1000),
      batch_seq: 1,
      seq: n,
      runtime: 'comfyui',
      kind: 'job_end',
      job_id: `j-${outcome}-${k}`,
      outcome,
      model: 'sdxl.safetensors',
      images: 1,
      duration_s: 5,
      gpu_index: 0,
      extensions: [],
    })),
  );
});

afterAll(async () => {
  await st.close();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

/** {jobs_ok: 1, jobs_oom: 2, ...}: the i-th outcome's column counts i + 1. */
const counts = Object.fromEntries(cols.map((c, i) => [c, i + 1]));
const total = (JOB_OUTCOMES.length * (JOB_OUTCOMES.length + 1)) / 2;

describe('job outcome columns', () => {
  it('has a count column for each outcome of the schema', () => {
    expect(Object.keys(JOB_OUTCOME_COLUMNS).sort()).toEqual([...JOB_OUTCOMES].sort());
    expect(new Set(cols).size).toBe(JOB_OUTCOMES.length);
  });

  it('counts each outcome from the raw events', async () => {
    const [r] = await st.query<Record<string, unknown>>(
      sql`SELECT ${jobAggs('raw', ['jobs', ...cols])} FROM runtime_events WHERE tenant = ${TENANT} AND kind = 'job_end'`,
    );
    expect(Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)]))).toEqual({ jobs: total, ...counts });
  });

  it('counts each outcome in every job rollup the migrations create', async () => {
    // every table of the database that rolls jobs up by outcome (it has the first outcome's column)
    const tables = await st.query<{ table: string }>(
      sql`SELECT table FROM system.columns WHERE database = ${db} AND name = ${cols[0] ?? ''} AND table NOT LIKE '.inner%' GROUP BY table ORDER BY table`,
    );
    const names = tables.map((t) => t.table);
    expect(names).toEqual(expect.arrayContaining(['jobs_1h', 'jobs_1m', 'jobs_host_1h', 'jobs_host_1m', 'jobs_model_1h', 'jobs_model_1m']));
    for (const t of names) {
      const [r] = await st.query<Record<string, unknown>>(sql`SELECT ${jobAggs('1m', ['jobs', ...cols])} FROM ${raw(t)} WHERE tenant = ${TENANT}`);
      expect({ table: t, ...Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)])) }).toEqual({
        table: t,
        jobs: total,
        ...counts,
      });
    }
  });
});

describe('GET /api/v1/jobs/stats counts every outcome (queries/jobs.ts)', () => {
  // the same jobs: 1 ok, 2 oom, 3 error, 4 interrupted (the i-th outcome i + 1), all sdxl on h1
  const limits = { maxRangeDays: 31, maxPoints: 100_000, rawRetentionDays: 7, rollup1mRetentionDays: 30 };
  const cases = [
    { step_s: 10, host: 'h1', res: 'raw' },
    { step_s: 60, host: 'h1', res: '1m' },
    { step_s: 3600, host: 'h1', res: '1h' },
    { step_s: 60, host: undefined, res: '1m' },
    { step_s: 3600, host: undefined, res: '1h' },
  ] as const;
  for (const c of cases) {
    it(`at ${c.res} ${c.host === undefined ? 'from the model rollups' : 'for a host'}: each outcome's own count under its name`, async () => {
      const r = resolveRange(
        { from: new Date(atMs - 3600_000).toISOString(), to: new Date(atMs + 3600_000).toISOString(), step_s: c.step_s },
        Date.now(),
        limits,
      );
      expect(r.resolution).toBe(c.res);
      const rows = await queryJobStats(scoped(st, TENANT), r, { host: c.host });
      const byOutcome = Object.fromEntries(JOB_OUTCOMES.map((o, i) => [o, i + 1]));
      expect(rows).toEqual([
        {
          model: 'sdxl.safetensors',
          runtime: 'comfyui',
          jobs: total,
          ...byOutcome,
          completion_ratio: (byOutcome['ok'] ?? Number.NaN) / total,
          images: total,
          duration_p50_s: 5,
          duration_p90_s: 5,
          duration_p99_s: 5,
          // 5 s ÷ 1 image, over the one ok job only
          seconds_per_image_p50_s: 5,
          seconds_per_image_p90_s: 5,
          seconds_per_image_p99_s: 5,
        },
      ]);
      // hand-worked for today's four outcomes: 1 ok of 10 jobs
      expect([rows[0]?.ok, rows[0]?.oom, rows[0]?.error, rows[0]?.interrupted, rows[0]?.completion_ratio]).toEqual([1, 2, 3, 4, 0.1]);
    });
  }
});
