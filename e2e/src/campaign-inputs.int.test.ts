// Campaigns from the other sources and from hostile input, through the export client, the collector
// and ClickHouse: a kohya LoRA run resumed from a checkpoint and one restarted from epoch 0 (the
// agent's kohya parser over lines of a real log, agent/test/fixtures/runtime-logs/kohya), and
// campaign labels of 3 and 10 kB, unicode, control characters and SQL sent as they are (an old or
// hostile agent does not clean them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLogText } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CAMPAIGN_LABEL_MAX, CampaignDetailSchema, CampaignsResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverEvents, getJson } from './campaign-harness.js';
import { startTestCollector } from './test-collector.js';

const S = 1000;
const T0 = Math.floor((Date.now() - 2 * 3600 * S) / S) * S;
const at = (s: number): string => new Date(T0 + s * S).toISOString();
const range = `from=${at(-3600)}&to=${at(3600)}`;

const KOHYA_LOG = readFileSync(
  join(import.meta.dirname, '..', '..', 'agent', 'test', 'fixtures', 'runtime-logs', 'kohya', 'lora-epochs-progress-nan-loss-2025-06.log'),
  'utf8',
);
/** sd-scripts' start-of-training lines (train_network.py), with this run's totals: 80 epochs of 41 steps. */
const RUN_START = [
  'running training / 学習開始',
  '  num train images * repeats / 学習画像の数×繰り返し回数: 41',
  '  num epochs / epoch数: 80',
  '  total optimization steps / 学習ステップ数: 3280',
];
const bar = (step: number, loss: string): string => `steps:   7%|████                | ${step}/3280 [00:50<1:01:47,  1.21s/it, avr_loss=${loss}]`;

/** The events of `lines` from the kohya parser, each given the time of its kind's next slot in `times` (seconds). */
function stamped(lines: readonly string[], times: Partial<Record<RuntimeEvent['kind'], number[]>>, fallbackS: number): RuntimeEvent[] {
  const left = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, [...(v ?? [])]]));
  return parseLogText(lines.join('\n'), 'kohya').map((e) => ({ ...e, ts: at(left[e.kind]?.shift() ?? fallbackS) }));
}

describe('campaigns from training runs and hostile labels', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let collectorNow = Date.now();
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' }, { now: () => collectorNow });
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
  });

  it('tells a kohya run resumed from a checkpoint from one restarted at epoch 0', async () => {
    // First process: the real log's five epochs (steps 41..205 of 3280, 80 epochs of 41 steps), a
    // progress line every 50 s; it dies after 250 s. The second process starts at 300 s.
    const first = stamped([...RUN_START, KOHYA_LOG], { training_progress: [50, 100, 150, 200, 250] }, 0);
    const resumed = stamped(
      [...RUN_START, 'resume training from local state: /train/out/lookbook-000005-state', 'epoch 6/80', bar(246, '0.091'), 'epoch 7/80', bar(287, '0.088')],
      { training_progress: [360, 410] },
      300,
    );
    const restarted = stamped([...RUN_START, 'epoch 1/80', bar(41, '0.120')], { training_progress: [360] }, 300);
    await deliverEvents(c, 'agent-kohya-a', 1, [...first, ...resumed], 'train-a');
    await deliverEvents(c, 'agent-kohya-b', 1, [...first, ...restarted], 'train-b');
    // a step checkpoint inside epoch 1: only the trainer's resume line tells a resume from a restart
    const early = stamped([...RUN_START, 'epoch 1/80', bar(20, '0.2'), bar(30, '0.2')], { training_progress: [50, 100] }, 0);
    const earlyResumed = stamped(
      [...RUN_START, 'resume training from local state: /train/out/lookbook-step00000030-state', 'epoch 1/80', bar(35, '0.2')],
      { training_progress: [160] },
      120,
    );
    await deliverEvents(c, 'agent-kohya-c', 1, [...early, ...earlyResumed], 'train-c');
    collectorNow = T0 + 420 * S;
    const all = CampaignsResponseSchema.parse((await getJson(c, `/api/v1/campaigns?${range}&runtime=kohya`)).body);
    const list = { rows: all.rows.filter((r) => r.hosts[0] !== 'train-c') };
    expect(all.rows.map((r) => [r.hosts[0], r.source, r.interruptions, r.resumed])).toEqual([
      ['train-a', 'training_run', 1, true],
      ['train-b', 'training_run', 1, false],
      ['train-c', 'training_run', 1, true],
    ]);

    // Resumed: 5 epochs were done (205 of 3280 steps x 80 epochs), the run went on from epoch 5:
    // 5 resumed, 0 redone; lost = last progress before (250 s) to first after (360 s) = 110 s.
    // Now at step 287 (7 epochs: 287 x 80 / 3280 = 7.0); the current segment ran 41 steps in 50 s
    // (0.82 steps/s), 3280 - 287 = 2993 steps left: 2993 / 0.82 = 3650 s; ETA 410 s + 3650 s.
    const a = CampaignDetailSchema.parse((await getJson(c, `/api/v1/campaigns/${list.rows[0]?.id ?? ''}?${range}`)).body);
    expect(a).toMatchObject({
      planned_jobs: 80,
      done_jobs: 7,
      total_epochs: 80,
      last_epoch: 7,
      completion_ratio: 0.0875,
      remaining_s: 3650,
      eta: at(4060),
      status: 'running',
    });
    expect(a.interruption_list).toEqual([
      {
        kind: 'runtime_restart',
        at: at(300),
        host: 'train-a',
        time_lost_s: 110,
        jobs_lost: 0,
        jobs_redone: 0,
        jobs_resumed: 5,
        images_missing: null,
        training_resume: 'checkpoint',
        resumed_from_epoch: 5,
      },
    ]);
    // Restarted: back at step 41 of epoch 1, no resume line: the 5 epochs are redone, and the time
    // lost is the 110 s gap plus the 250 s of work thrown away (start 0 s to last progress 250 s).
    const b = CampaignDetailSchema.parse((await getJson(c, `/api/v1/campaigns/${list.rows[1]?.id ?? ''}?${range}`)).body);
    expect(b).toMatchObject({ done_jobs: 1, redone_jobs: 5, last_epoch: 1 });
    expect(b.interruption_list[0]).toMatchObject({ training_resume: 'epoch0', resumed_from_epoch: 0, jobs_redone: 5, jobs_resumed: 0, time_lost_s: 360 });
  });

  it('stores labels of 10 kB, unicode and SQL cut and escaped, and no query breaks', async () => {
    const labels = {
      long: `night-${'x'.repeat(3000)}`,
      huge: `night-${'x'.repeat(10_240)}`,
      unicode: `ライト ✿ ${'🎨'.repeat(140)}`,
      sql: 'x\'); DROP TABLE runtime_events; -- \\\' "q"',
      control: 'a\u0000b\u001b[31mc\nd',
    };
    const events: RuntimeEvent[] = Object.entries(labels).flatMap(([name, label], i): RuntimeEvent[] => [
      { kind: 'campaign', runtime: 'comfyui', ts: at(600 + i), campaign_id: `l-${name}`, label, planned_jobs: 1 },
      { kind: 'job_end', runtime: 'comfyui', ts: at(601 + i), job_id: `p-${name}`, outcome: 'ok', images: 1, campaign_id: `l-${name}`, job_key: `k-${name}` },
    ]);
    await deliverEvents(c, 'agent-labels', 1, events, 'render-labels');
    collectorNow = T0 + 700 * S;
    const list = CampaignsResponseSchema.parse((await getJson(c, `/api/v1/campaigns?${range}&host=render-labels`)).body);
    const byId = new Map(list.rows.map((r) => [r.id, r.label]));
    expect(byId.get('l-long')).toBe(`night-${'x'.repeat(CAMPAIGN_LABEL_MAX - 6)}`);
    // over the ingest's 4096-character string limit (ingest/validate.ts): refused, counted, the campaign kept.
    // The agent cuts a label at 128 before it sends it (the 10 kB label from extra_data: campaigns.int.test.ts).
    expect(byId.get('l-huge')).toBeNull();
    expect(Array.from(byId.get('l-unicode') ?? '')).toHaveLength(CAMPAIGN_LABEL_MAX);
    expect(byId.get('l-unicode')).toBe(`ライト ✿ ${'🎨'.repeat(CAMPAIGN_LABEL_MAX - 6)}`); // whole emoji, no lone surrogate
    expect(byId.get('l-sql')).toBe(labels.sql);
    expect(byId.get('l-control')).toBe('ab[31mcd');
    expect(list.rows).toHaveLength(5);
    expect(list.rows.every((r) => r.done_jobs === 1 && r.status === 'finished')).toBe(true);

    // hostile text in filters and ids: answers, never a broken query
    const hostile = encodeURIComponent(labels.sql);
    expect((await getJson(c, `/api/v1/campaigns?${range}&host=${hostile}`)).body).toMatchObject({ rows: [] });
    expect((await getJson(c, `/api/v1/campaigns/${hostile}?${range}`)).status).toBe(404);
    expect((await getJson(c, `/api/v1/workflows/cache?${range}&host=${hostile}`)).body).toMatchObject({ rows: [] });
    const [count] = await c.storage.query<{ n: string }>(
      raw(`SELECT count() AS n FROM ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}.runtime_events WHERE host = 'render-labels'`),
    );
    expect(Number(count?.n)).toBe(10);
  });
  it('records a host that went silent inside a campaign, unless a restart explains the silence', async () => {
    const T = Math.floor((Date.now() - 90 * 60_000) / 60_000) * 60_000; // on a whole minute
    const ts = (sec: number): string => new Date(T + sec * S).toISOString();
    const job = (host: string, campaign: string, id: string, startS: number): RuntimeEvent[] => [
      { kind: 'job_start', runtime: 'comfyui', ts: ts(startS), job_id: `${host}-${id}`, campaign_id: campaign },
      { kind: 'job_end', runtime: 'comfyui', ts: ts(startS + 90), job_id: `${host}-${id}`, outcome: 'ok', images: 1, campaign_id: campaign, job_key: id },
    ];
    // jobs at 0, 100, 200 s, then 490, 590 s; host samples every 10 s except from 300 s to 480 s
    // (minutes 5, 6 and 7 without a sample: 3 whole minutes, at least 2)
    collectorNow = T + 720 * S;
    const samples = Array.from({ length: 71 }, (_, i) => i * 10).filter((sec) => sec < 300 || sec >= 480);
    for (const [host, campaign, explained] of [
      ['render-silent', 'l-silent', false],
      ['render-restarted', 'l-restarted', true],
    ] as const) {
      const events = [
        ...job(host, campaign, 'a', 0),
        ...job(host, campaign, 'b', 100),
        ...job(host, campaign, 'c', 200),
        ...job(host, campaign, 'd', 490),
        ...job(host, campaign, 'e', 590),
      ];
      events.unshift({ kind: 'campaign', runtime: 'comfyui', ts: ts(0), campaign_id: campaign, label: campaign, planned_jobs: 5 });
      if (explained) events.push({ kind: 'campaign', runtime: 'comfyui', ts: ts(500), campaign_id: campaign, interruption: 'agent_restart' });
      await deliverEvents(
        c,
        `agent-${host}`,
        1,
        events,
        host,
        samples.map((sec) => T + sec * S),
      );
    }
    const get = async (id: string): Promise<{ interruption_list: { kind: string; at: string; time_lost_s: number | null; jobs_resumed: number }[] }> =>
      (await getJson(c, `/api/v1/campaigns/${id}?from=${ts(-600)}&to=${ts(1200)}`)).body as never;
    // silent from the end of minute 4 (300 s) to the sample at 480 s: recorded at 480 s; time lost =
    // job c's end (290 s) to job d's start (490 s) = 200 s; d and e went on
    expect((await get('l-silent')).interruption_list.map((x) => [x.kind, x.at, x.time_lost_s, x.jobs_resumed])).toEqual([['host_silent', ts(480), 200, 2]]);
    // the same silence followed by the agent's restart at 500 s: that restart, not a second interruption
    expect((await get('l-restarted')).interruption_list.map((x) => x.kind)).toEqual(['agent_restart']);
  });
});
