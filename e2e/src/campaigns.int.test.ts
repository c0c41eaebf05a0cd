// Campaigns end to end with hand-worked numbers: the agent's ComfyUI adapter against a fake ComfyUI
// (the real one cannot be given a 40-job timeline with chosen times; comfyui-real.int.test.ts runs
// the real one), its events through the export client into the collector and ClickHouse, then
// GET /api/v1/campaigns and /campaigns/{id}. A kohya run resumed from a checkpoint, from log lines
// through the same path. Labels with 10 kB of text, unicode and SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComfyuiApiSource, type ComfyuiApiSource } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CampaignDetailSchema, CampaignsResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeComfyui, type FakeComfyui } from '../../agent/test/support/fake-comfyui.js';
import { deliverEvents, getJson } from './campaign-harness.js';
import { startTestCollector } from './test-collector.js';

const S = 1000;
/** Two hours ago, on a whole second. */
const T0 = Math.floor((Date.now() - 2 * 3600 * S) / S) * S;
const at = (s: number): number => T0 + s * S;
const LABEL = 'spring lookbook ✿';

/** Job n's graph: EmptyImage (its own color: its own job key) → SaveImage. */
const graph = (n: number): Record<string, unknown> => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: n } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'lookbook' } },
});

function entry(n: number, promptId: string, startS: number, endS: number, label = LABEL): Record<string, unknown> {
  const extra = { client_id: 'studio-script', renderwatch_campaign: label, renderwatch_campaign_jobs: 40, renderwatch_campaign_images: 40 };
  const msg = (type: string, s: number, more: object = {}): [string, object] => [type, { prompt_id: promptId, timestamp: at(s), ...more }];
  return {
    prompt: [n, promptId, graph(n), extra, ['2']],
    outputs: { '2': { images: [{ filename: `lookbook_${String(n).padStart(5, '0')}_.png`, subfolder: '', type: 'output' }] } },
    status: {
      status_str: 'success',
      completed: true,
      messages: [msg('execution_start', startS), msg('execution_cached', startS, { nodes: [] }), msg('execution_success', endS)],
    },
    meta: {},
  };
}
const queueItem = (n: number): unknown[] => [
  n,
  `p-${n}`,
  graph(n),
  { client_id: 'studio-script', renderwatch_campaign: LABEL, renderwatch_campaign_jobs: 40 },
  ['2'],
];

describe('a 40-job ComfyUI campaign across a ComfyUI restart and an agent restart', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let collectorNow = Date.now();
  const dirs: string[] = [];
  const fakes: FakeComfyui[] = [];
  const sources: ComfyuiApiSource[] = [];
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' }, { now: () => collectorNow });
  });
  afterAll(async () => {
    for (const s of sources) await s.stop();
    for (const f of fakes) await f.stop();
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  let seq = 1;
  const deliver = async (events: readonly RuntimeEvent[]): Promise<void> => {
    await deliverEvents(c, 'agent-campaign-1', seq, events);
    seq += 100;
  };
  const get = async (path: string): Promise<unknown> => {
    const r = await getJson(c, path);
    expect(r.status).toBe(200);
    return r.body;
  };
  const range = `from=${new Date(at(-3600)).toISOString()}&to=${new Date(at(3600)).toISOString()}`;

  it('counts 40 jobs once, records both interruptions, works out ETA and images/min', async () => {
    let clock = at(515);
    const stateDir = mkdtempSync(join(tmpdir(), 'rw-campaign-'));
    dirs.push(stateDir);
    const events: RuntimeEvent[] = [];
    const source = (): ComfyuiApiSource => {
      const s = createComfyuiApiSource({
        url: f.url,
        log: { warn: () => undefined, info: () => undefined },
        onEvent: (e) => events.push(e),
        stateDir,
        pollMs: 60_000,
        timeoutMs: 2000,
        reconnectMaxMs: 60_000,
        now: () => clock,
      });
      sources.push(s);
      return s;
    };
    // jobs 1-17 ran 30 s each from T0; job 18 runs, 19-40 wait
    const history = new Map<string, Record<string, unknown>>();
    for (let n = 1; n <= 17; n++) history.set(`p-${n}`, entry(n, `p-${n}`, (n - 1) * 30, n * 30));
    const f = await startFakeComfyui({
      history,
      queueRunning: [queueItem(18)],
      queuePending: Array.from({ length: 22 }, (_, i) => queueItem(19 + i)),
    });
    fakes.push(f);
    const first = source();
    await first.pollOnce();

    // ComfyUI dies at 520 s (taking job 18 and the 22 waiting prompts with it) and answers again at 540 s
    await f.stop();
    f.removeOutput('lookbook_00017_.png');
    clock = at(520);
    await first.pollOnce();
    clock = at(540);
    // the script resubmits job 17 (it had not seen its image) and 18 onwards: 17' at 550-580 s, job k at 580 + (k-18)*30
    const after = new Map<string, Record<string, unknown>>([['p-17b', entry(17, 'p-17b', 550, 580)]]);
    for (let n = 18; n <= 30; n++) after.set(`p-${n}b`, entry(n, `p-${n}b`, 580 + (n - 18) * 30, 610 + (n - 18) * 30));
    await f.restart({ history: after });
    await first.pollOnce();
    clock = at(975);
    await first.pollOnce();
    // the agent stops after job 30 (ended 970 s); ComfyUI runs 31 (970-1000) and 32 (1000-1030) meanwhile
    await first.stop();
    f.removeOutput('lookbook_00025_.png'); // deleted while the agent was down: found by its restart check
    for (let n = 31; n <= 32; n++) f.state.history.set(`p-${n}b`, entry(n, `p-${n}b`, 970 + (n - 31) * 30, 1000 + (n - 31) * 30));
    clock = at(1045);
    const second = source();
    await second.pollOnce();

    const ends = events.filter((e) => e.kind === 'job_end');
    expect(ends).toHaveLength(17 + 14 + 2);
    await deliver(events);
    events.length = 0;
    const campaignId = ends[0]?.kind === 'job_end' ? (ends[0].campaign_id ?? '') : '';
    expect(campaignId).toMatch(/^l-[0-9a-f]{16}$/);

    // Midway (collector clock 1050 s): 32 distinct jobs done (17' is a redo of 17), 32 images.
    // Active time: first start 0 s to last end 1030 s, minus 40 s lost (job 17 ended 510 s, 17' started
    // 550 s) = 990 s = 16.5 min; the agent restart lost nothing yet (no job after it).
    // images/min = 32 / 16.5 = 1.939...; 8 images left: 8 / (32 / 16.5) min = 4.125 min = 247.5 s;
    // ETA = last end 1030 s + 247.5 s = 1277.5 s.
    collectorNow = at(1050);
    const mid = CampaignDetailSchema.parse(await get(`/api/v1/campaigns/${campaignId}?${range}`));
    expect(mid).toMatchObject({
      label: LABEL,
      source: 'label',
      status: 'running',
      planned_jobs: 40,
      planned_images: 40,
      done_jobs: 32,
      redone_jobs: 1,
      failed_jobs: 0,
      images: 32,
      images_per_min: 1.939,
      remaining_s: 247.5,
      eta: new Date(at(1277.5)).toISOString(),
      completion_ratio: 0.8,
      interruptions: 2,
      images_missing_at_end: null, // not ended yet (the agent restart's count is on its interruption)
    });

    // the rest: 33-40 at 1030 + (k-33)*30, the last ending 1270 s
    for (let n = 33; n <= 40; n++) f.state.history.set(`p-${n}b`, entry(n, `p-${n}b`, 1030 + (n - 33) * 30, 1060 + (n - 33) * 30));
    clock = at(1275);
    f.removeOutput('lookbook_00036_.png'); // deleted before the campaign ended: found by its end check
    await second.pollOnce();
    await second.stop();
    expect(events.filter((e) => e.kind === 'job_end')).toHaveLength(8);
    // 41 prompts reported ≥ 40 planned, none waiting: ended; the files of 31-40 (those of 17'-30 were
    // checked at the agent restart) asked once, 36 gone
    expect(events.filter((e) => e.kind === 'campaign' && e.interruption === undefined && e.images_missing !== undefined)).toEqual([
      { kind: 'campaign', runtime: 'comfyui', ts: new Date(at(1275)).toISOString(), campaign_id: campaignId, images_missing: 1 },
    ]);
    await deliver(events);

    // Finished: 41 ok job ends, 40 distinct jobs (17 twice), 40 images. Active time 1270 s - 40 s =
    // 1230 s = 20.5 min; images/min = 40 / 20.5 = 1.951. Runtime restart at 540 s: job 17 ended
    // 510 s, 17' started 550 s: 40 s lost, 23 prompts lost (18 running, 19-40 queued), 17' redone,
    // 18-32 resumed (15). Agent restart at 1045 s: 32 ended 1030 s, 33 started 1030 s: 0 s lost, 33-40
    // resumed (8).
    collectorNow = at(1300);
    const done = CampaignDetailSchema.parse(await get(`/api/v1/campaigns/${campaignId}?${range}`));
    expect(done).toMatchObject({
      status: 'finished',
      done_jobs: 40,
      redone_jobs: 1,
      images: 40,
      images_per_min: 1.951,
      remaining_s: null,
      eta: null,
      completion_ratio: 1,
      interruptions: 2,
      resumed: true,
      images_missing_at_end: 1,
      hosts: ['render-07'],
      cache_hit_ratio: 0,
    });
    expect(done.interruption_list).toEqual([
      {
        kind: 'runtime_restart',
        at: new Date(at(540)).toISOString(),
        host: 'render-07',
        time_lost_s: 40,
        jobs_lost: 23,
        jobs_redone: 1,
        jobs_resumed: 15,
        images_missing: 1, // lookbook_00017_.png, deleted while ComfyUI was down (the script then redid job 17)
        training_resume: null,
        resumed_from_epoch: null,
      },
      {
        kind: 'agent_restart',
        at: new Date(at(1045)).toISOString(),
        host: 'render-07',
        time_lost_s: 0,
        jobs_lost: 0,
        jobs_redone: 0,
        jobs_resumed: 8,
        // the files of 17'-30 were checked: lookbook_00025_.png, deleted while the agent was down, and
        // lookbook_00017_.png, the name 17' reported again, which the fake's disk keeps deleted
        images_missing: 2,
        training_resume: null,
        resumed_from_epoch: null,
      },
    ]);
    // stored once each: 41 job_end rows for 41 prompt ids
    const [rows] = await c.storage.query<{ n: string; ids: string }>(
      raw(
        `SELECT count() AS n, uniqExact(job_id) AS ids FROM ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}.runtime_events WHERE kind = 'job_end' AND campaign_id = '${campaignId}'`,
      ),
    );
    expect([Number(rows?.n), Number(rows?.ids)]).toEqual([41, 41]);

    const list = CampaignsResponseSchema.parse(await get(`/api/v1/campaigns?${range}`));
    expect(list.rows.find((r) => r.id === campaignId)).toMatchObject({ done_jobs: 40, images: 40, interruptions: 2, status: 'finished' });
  });
  it('cuts a 10 kB label from extra_data at 128 code points on the agent and stores it so', async () => {
    const label = `${'🎨'.repeat(3)} night ${"x'); DROP TABLE runtime_events; --".repeat(310)}`; // over 10 kB
    expect(label.length).toBeGreaterThan(10_240);
    const f = await startFakeComfyui({ history: new Map([['p-long', entry(1, 'p-long', 2000, 2030, label)]]) });
    fakes.push(f);
    const events: RuntimeEvent[] = [];
    const s = createComfyuiApiSource({
      url: f.url,
      log: { warn: () => undefined, info: () => undefined },
      onEvent: (e) => events.push(e),
      pollMs: 60_000,
      timeoutMs: 2000,
      reconnectMaxMs: 60_000,
      now: () => at(2040),
    });
    sources.push(s);
    await s.pollOnce();
    collectorNow = at(2100);
    await deliverEvents(c, 'agent-campaign-2', 1, events, 'render-08');
    const list = CampaignsResponseSchema.parse(await get(`/api/v1/campaigns?${range}&host=render-08`));
    expect(list.rows.map((r) => r.label)).toEqual([Array.from(label).slice(0, 128).join('')]);
  });
});
