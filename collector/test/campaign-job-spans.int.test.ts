// Migration 0029 (campaign_job_spans: one row per job, host, GPU, campaign and hour of its events,
// which /api/v1/cost?by=campaign and the campaign detail's cost read instead of raw job events)
// against a real ClickHouse: a database at 0028 holding job events, migrated to 0029 (the backfill),
// then more events through the view — one job's start before the migration and its end after, a job
// whose end names no GPU, a job_end sent twice, a job known only by its end and duration. The
// campaigns' GPU-hours, kWh, money, jobs and images are worked out by hand below.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { splitTs } from '../src/domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../src/storage/clickhouse.js';
import { loadMigrations, migrate } from '../src/storage/migrate.js';
import { queryCampaignCost, queryOneCampaignCost } from '../src/storage/queries/campaign-cost.js';
import { scoped } from '../src/storage/scope.js';
import { raw } from '../src/storage/sql.js';

const HOUR = 3600_000;
const TENANT = 'tenant-s';
const PRICES = [
  { match: 'L40S', price: 1.0 },
  { match: 'L4', price: 0.5 },
];
/** Start of the four seeded hours: five hours before the current one. */
const H = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const min = (m: number): number => H + m * 60_000;
const db = `rw_camp_spans_${randomBytes(4).toString('hex')}`;
const opts = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
let storage: Storage;

// Host s-1 has two GPUs sampled once a minute, minutes 1-240, each sample standing for the minute
// before it (interval_ms 60 000): GPU 0 an L40S ($1.00/h, 600 J a sample), GPU 1 an L4 ($0.50/h, 60 J).
function samples(): Record<string, unknown>[] {
  const gpus = [
    { gpu_index: 0, gpu_uuid: 's1-g0', gpu_name: 'NVIDIA L40S', energy_delta_joules: 600 },
    { gpu_index: 1, gpu_uuid: 's1-g1', gpu_name: 'NVIDIA L4', energy_delta_joules: 60 },
  ];
  const rows: Record<string, unknown>[] = [];
  for (let m = 1; m <= 240; m++) {
    for (const g of gpus) {
      rows.push({
        tenant: TENANT,
        host: 's-1',
        agent_id: 's-1-agent',
        ...splitTs(min(m)),
        ...g,
        interval_ms: 60_000,
        mig_enabled: 0,
        process_pids: [],
        process_names: [],
        process_runtimes: [],
        process_mem_bytes: [],
        batch_seq: 1,
      });
    }
  }
  return rows;
}

let seq = 0;
function ev(m: number, kind: 'job_start' | 'job_end', job: string, campaign: string, gpu: number | null, f: Record<string, unknown> = {}) {
  return {
    tenant: TENANT,
    host: 's-1',
    agent_id: 's-1-agent',
    ...splitTs(min(m)),
    batch_seq: 1,
    seq: seq++,
    runtime: 'comfyui',
    extensions: [],
    kind,
    job_id: job,
    campaign_id: campaign,
    campaign_label: campaign === '' ? '' : `label of ${campaign}`,
    gpu_index: gpu,
    ...(kind === 'job_end' ? { outcome: 'ok' } : {}),
    ...f,
  };
}

// Rolled up by 0029's backfill (inserted while the database is at 0028):
//   c-old o1 on GPU 0 minutes 10-40: samples 11-40 = 1800 s = 0.5 h x $1.00, 30 x 600 J = 18 000 J, 3 images.
//   c-new n1's start, GPU 0 minute 50 (its end comes after the migration).
const beforeMigration = [
  ev(10, 'job_start', 'o1', 'c-old', 0),
  ev(40, 'job_end', 'o1', 'c-old', 0, { images: 3, duration_s: 1800 }),
  ev(50, 'job_start', 'n1', 'c-new', 0),
];
// Through the view after 0029, campaign c-new:
//   n1 ends at minute 70 (a later hour than its start): samples 51-70 on GPU 0 = 1200 s, 12 000 J, 2 images.
//   n2 starts on GPU 1 at minute 100 and its end names no GPU (minute 130): on the host's two GPUs the
//     end alone would be a job without a GPU; with its start it is GPU 1's: samples 101-130 on the L4 =
//     1800 s = 0.5 h x $0.50, 30 x 60 J = 1800 J, 4 images. (The campaign's plan event at minute 110
//     would end it there were its end not found: 600 s.)
//   n3 on GPU 0 minutes 150-160, its job_end inserted twice (a re-sent batch): one job, 5 images, 600 s, 6000 J.
//   n4 has only its job_end, minute 200 with duration_s 600: window 190-200 on GPU 0; a job outside
//     campaigns (x1) shares GPU 0 over minutes 195-200, so samples 196-200 are half n4's:
//     5 + 5 x 0.5 = 7.5 samples = 450 s, 4500 J, 1 image.
//   c-lost's only job l1 starts on GPU 1 at minute 150 and never ends; the campaign's restart event at
//     minute 160 ends it: samples 151-160 on the L4 = 600 s = 1/6 h x $0.50, 600 J; no job ended.
//   c-new: L40S 1200 + 600 + 450 = 2250 s = 0.625 h x $1.00; L4 0.5 h x $0.50 = $0.25; 1.125 GPU-h,
//     $0.875, 12 000 + 1800 + 6000 + 4500 = 24 300 J, 4 jobs, 12 images.
const n3End = ev(160, 'job_end', 'n3', 'c-new', 0, { images: 5, duration_s: 600 });
const afterMigration = [
  ev(70, 'job_end', 'n1', 'c-new', 0, { images: 2, duration_s: 1200 }),
  ev(100, 'job_start', 'n2', 'c-new', 1),
  ev(130, 'job_end', 'n2', 'c-new', null, { images: 4, duration_s: 1800 }),
  { ...ev(110, 'job_start', '', 'c-new', null), kind: 'campaign', planned_jobs: 4 },
  ev(150, 'job_start', 'n3', 'c-new', 0),
  n3End,
  ev(200, 'job_end', 'n4', 'c-new', 0, { images: 1, duration_s: 600 }),
  ev(150, 'job_start', 'l1', 'c-lost', 1),
  { ...ev(160, 'job_start', '', 'c-lost', null), kind: 'campaign', interruption: 'runtime_restart', lost_jobs: 1 },
  ev(195, 'job_start', 'x1', '', 0),
  ev(200, 'job_end', 'x1', '', 0, { images: 1, duration_s: 300 }),
];

beforeAll(async () => {
  await ensureDatabase(opts);
  storage = createStorage(opts);
  const all = await loadMigrations();
  await migrate(
    storage,
    all.filter((m) => m.version < 29),
  );
  await storage.insert('gpu_samples', samples());
  await storage.insert('runtime_events', beforeMigration);
  await migrate(storage, all);
  await storage.insert('runtime_events', afterMigration);
  await storage.insert('runtime_events', [n3End]);
});

afterAll(async () => {
  await storage.close();
  const admin = createStorage({ ...opts, database: 'default' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

const close = (v: number): unknown => expect.closeTo(v, 9);
const C_NEW = {
  id: 'c-new',
  label: 'label of c-new',
  runtime: 'comfyui',
  hosts: ['s-1'],
  gpu_names: ['NVIDIA L4', 'NVIDIA L40S'],
  jobs: 4,
  images: 12,
  unattributed_jobs: 0,
  gpu_hours: close(1.125),
  energy_kwh: close(24_300 / 3.6e6),
  cost: close(0.875),
  unpriced_gpu_hours: 0,
  cost_per_image: close(0.875 / 12),
};
const C_OLD = {
  id: 'c-old',
  label: 'label of c-old',
  runtime: 'comfyui',
  hosts: ['s-1'],
  gpu_names: ['NVIDIA L40S'],
  jobs: 1,
  images: 3,
  unattributed_jobs: 0,
  gpu_hours: close(0.5),
  energy_kwh: close(18_000 / 3.6e6),
  cost: close(0.5),
  unpriced_gpu_hours: 0,
  cost_per_image: close(0.5 / 3),
};

const C_LOST = {
  id: 'c-lost',
  label: 'label of c-lost',
  runtime: 'comfyui',
  hosts: ['s-1'],
  gpu_names: ['NVIDIA L4'],
  jobs: 0,
  images: 0,
  unattributed_jobs: 0,
  gpu_hours: close(1 / 6),
  energy_kwh: close(600 / 3.6e6),
  cost: close(1 / 12),
  unpriced_gpu_hours: 0,
  cost_per_image: null,
};

const byCampaign = () => queryCampaignCost(scoped(storage, TENANT), new Date(H), new Date(H + 4 * HOUR), {}, PRICES, Date.now());

describe('campaign cost from campaign_job_spans (migration 0029)', () => {
  it('gives each campaign its jobs and their share of the GPU samples: events from before the migration (backfill) and after it (view), worked by hand', async () => {
    expect(await byCampaign()).toEqual([C_NEW, C_OLD, C_LOST]);
  });

  it("answers one campaign's row the same, and only the jobs that ended in a narrower range", async () => {
    const s = scoped(storage, TENANT);
    expect(await queryOneCampaignCost(s, 'c-new', new Date(H), new Date(H + 4 * HOUR), PRICES, Date.now())).toEqual(C_NEW);
    // hour 1 (minutes 60-120): n1's samples 60-70 (660 s, 6600 J; the one at minute 60 stands for
    // minute 59-60 and counts where its timestamp falls) and its end; n2's samples 101-119 (the one at
    // minute 120 counts in hour 2): 1140 s on the L4, 1140 J; n2 ends in hour 2
    const h1 = await queryCampaignCost(s, new Date(H + HOUR), new Date(H + 2 * HOUR), {}, PRICES, Date.now());
    expect(h1).toEqual([
      {
        ...C_NEW,
        jobs: 1,
        images: 2,
        gpu_hours: close((660 + 1140) / 3600),
        energy_kwh: close((6600 + 1140) / 3.6e6),
        cost: close(660 / 3600 + (1140 / 3600) * 0.5),
        cost_per_image: close((660 / 3600 + (1140 / 3600) * 0.5) / 2),
      },
    ]);
  });

  it('counts nothing twice when 0029 runs again (a second collector migrating at the same time)', async () => {
    const m29 = (await loadMigrations()).find((m) => m.version === 29);
    if (m29 === undefined) throw new Error('no migration 29');
    await migrate(storage, [{ ...m29, version: 9029, name: '0029_rerun' }]);
    expect(await byCampaign()).toEqual([C_NEW, C_OLD, C_LOST]);
  });
});
