// A cloud preemption recorded on the campaigns running on the host, end to end: the host-level
// notice the agent's preemption source emits (exactly this event: agent/src/sources/preemption.test.ts
// reads it from a fake metadata server built from the providers' documented responses) goes with
// the campaigns' job events through the export client into the collector and ClickHouse, and
// /api/v1/campaigns/{id} shows the interruption with what followed, worked out by hand.
import { raw } from '@renderwatch/collector';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CampaignDetailSchema, CampaignsResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverEvents, getJson } from './campaign-harness.js';
import { startTestCollector } from './test-collector.js';

const S = 1000;
const T0 = Math.floor((Date.now() - 2 * 3600 * S) / S) * S;
const at = (s: number): number => T0 + s * S;
const iso = (s: number): string => new Date(at(s)).toISOString();

/** Job n of a campaign: job_start at startS, job_end (ok, 1 image, its own key) at endS. */
function job(campaign: string, n: number, startS: number, endS: number): RuntimeEvent[] {
  const tags = { campaign_id: campaign, workflow_fingerprint: 'fp-spot' };
  return [
    { kind: 'job_start', runtime: 'comfyui', ts: iso(startS), job_id: `${campaign}-${n}`, ...tags },
    {
      kind: 'job_end',
      runtime: 'comfyui',
      ts: iso(endS),
      job_id: `${campaign}-${n}`,
      outcome: 'ok',
      images: 1,
      duration_s: endS - startS,
      job_key: `${campaign}-k${n}`,
      ...tags,
    },
  ];
}
const plan = (campaign: string, jobs: number, s: number): RuntimeEvent => ({
  kind: 'campaign',
  runtime: 'comfyui',
  ts: iso(s),
  campaign_id: campaign,
  label: campaign,
  planned_jobs: jobs,
});

describe('a GCP preemption notice interrupts the campaigns running on the host', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let collectorNow = Date.now();
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' }, { now: () => collectorNow });
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
  });

  it('records preemption on the running campaign with the time lost and jobs resumed; not on an idle one or another host', async () => {
    // render-07: "spot run", 10 planned jobs of 60 s: 1-4 from 0 to 240 s; the notice at 250 s;
    // the VM is back and the script resumes 5-10 from 400 s (last end 760 s).
    // render-07: "earlier", 1 job ended at -1000 s (idle 1250 s > 600 s at the notice): not running.
    // render-09: "other host", running at the notice on another host.
    const notice: RuntimeEvent[] = [{ kind: 'campaign', runtime: 'host', ts: iso(250), campaign_id: '*', interruption: 'preemption' }];

    const spot: RuntimeEvent[] = [plan('spot run', 10, 0)];
    for (let n = 1; n <= 4; n++) spot.push(...job('spot run', n, (n - 1) * 60, n * 60));
    for (let n = 5; n <= 10; n++) spot.push(...job('spot run', n, 400 + (n - 5) * 60, 460 + (n - 5) * 60));
    // a kohya run on render-07 too: epoch 3 of 10 (step 300 of 1000) at 180 s; after the notice the trainer
    // starts again at 400 s and resumes from its saved state (step 310 at 450 s)
    const kohya = (x: number, kind: 'runtime_start' | 'training_resumed'): RuntimeEvent =>
      kind === 'runtime_start' ? { kind, runtime: 'kohya', ts: iso(x) } : { kind, runtime: 'kohya', ts: iso(x) };
    const progress = (x: number, epoch: number, step: number): RuntimeEvent => ({
      kind: 'training_progress',
      runtime: 'kohya',
      ts: iso(x),
      epoch,
      total_epochs: 10,
      step,
      total_steps: 1000,
    });
    const training = [
      kohya(0, 'runtime_start'),
      progress(60, 1, 100),
      progress(180, 3, 300),
      kohya(400, 'runtime_start'),
      kohya(410, 'training_resumed'),
      progress(450, 3, 310),
    ];
    await deliverEvents(c, 'agent-spot-07', 1, [...job('earlier', 1, -1060, -1000), ...spot, ...notice, ...training], 'render-07');
    const other: RuntimeEvent[] = [
      plan('other host', 3, 100),
      ...job('other host', 1, 100, 160),
      ...job('other host', 2, 200, 260),
      ...job('other host', 3, 300, 360),
    ];
    await deliverEvents(c, 'agent-spot-09', 1, other, 'render-09');

    collectorNow = at(2000);
    const range = `from=${new Date(at(-3600)).toISOString()}&to=${new Date(at(3600)).toISOString()}`;
    const get = async (id: string): Promise<ReturnType<typeof CampaignDetailSchema.parse>> => {
      const r = await getJson(c, `/api/v1/campaigns/${encodeURIComponent(id)}?${range}`);
      expect(r.status).toBe(200);
      return CampaignDetailSchema.parse(r.body);
    };
    // 10 done; time lost 400 - 240 = 160 s; active 760 - 0 - 160 = 600 s = 10 min: 1.0 image/min; 6 resumed.
    const d = await get('spot run');
    expect(d).toMatchObject({ status: 'finished', done_jobs: 10, images: 10, images_per_min: 1, interruptions: 1, resumed: true });
    expect(d.interruption_list).toEqual([
      {
        kind: 'preemption',
        at: iso(250),
        host: 'render-07',
        time_lost_s: 160,
        jobs_lost: 0,
        jobs_redone: 0,
        jobs_resumed: 6,
        images_missing: null,
        training_resume: null,
        resumed_from_epoch: null,
      },
    ]);
    expect((await get('earlier')).interruptions).toBe(0);
    expect((await get('other host')).interruptions).toBe(0);
    // the notice itself is no campaign
    const list = CampaignsResponseSchema.parse((await getJson(c, `/api/v1/campaigns?${range}`)).body);
    const run = list.rows.find((r) => r.source === 'training_run');
    expect(
      list.rows
        .filter((r) => r.source !== 'training_run')
        .map((r) => [r.id, r.interruptions])
        .sort(),
    ).toEqual([
      ['earlier', 0],
      ['other host', 0],
      ['spot run', 1],
    ]);
    // the run: one interruption, the preemption (its restart continues it): 3 epochs done at the notice,
    // resumed from epoch 2 (2 resumed, 1 redone), 180 s → 450 s = 270 s lost
    const t = await get(run?.id ?? '');
    expect(t.interruption_list.map((x) => [x.kind, x.at, x.training_resume, x.resumed_from_epoch, x.jobs_resumed, x.jobs_redone, x.time_lost_s])).toEqual([
      ['preemption', iso(250), 'checkpoint', 2, 2, 1, 270],
    ]);
    expect((await getJson(c, `/api/v1/campaigns/*?${range}`)).status).toBe(404);
  });
});
