// A1111/Forge batch campaigns end to end on the collector side: the events the agent's A1111 adapter
// sends for a batch count of 4 and for a batch cut by a server restart (exactly these events:
// agent/src/runtime-api/a1111-api-source.test.ts drives the adapter against a fake A1111 that answers
// /sdapi/v1/progress as the real one does) through the export client into ClickHouse, and
// /api/v1/campaigns/{id}, worked out by hand.
import { raw } from '@renderwatch/collector';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CampaignDetailSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverEvents, getJson } from './campaign-harness.js';
import { startTestCollector } from './test-collector.js';

const S = 1000;
const T0 = Math.floor((Date.now() - 2 * 3600 * S) / S) * S;
const iso = (s: number): string => new Date(T0 + s * S).toISOString();
const A = 'b-0123456789abcdef';
const B = 'b-fedcba9876543210';
const start = (id: string, n: number, s: number): RuntimeEvent => ({ kind: 'job_start', runtime: 'a1111', ts: iso(s), job_id: `${id}/${n}`, campaign_id: id });
const end = (id: string, n: number, s: number): RuntimeEvent => ({
  kind: 'job_end',
  runtime: 'a1111',
  ts: iso(s),
  job_id: `${id}/${n}`,
  outcome: 'ok',
  job_key: `${id}/${n}`,
  campaign_id: id,
});

describe('A1111 batch campaigns', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let collectorNow = Date.now();
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' }, { now: () => collectorNow });
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
  });

  it('a batch count of 4 finishes; a batch of 5 cut by a restart after 1 iteration stalls with 4 jobs lost', async () => {
    const batchA: RuntimeEvent[] = [
      { kind: 'campaign', runtime: 'a1111', ts: iso(1), campaign_id: A, planned_jobs: 4 },
      start(A, 1, 1),
      end(A, 1, 31),
      start(A, 2, 31),
      end(A, 2, 91),
      end(A, 3, 91),
      start(A, 4, 91),
      end(A, 4, 121),
    ];
    const batchB: RuntimeEvent[] = [
      { kind: 'campaign', runtime: 'a1111', ts: iso(1001), campaign_id: B, planned_jobs: 5 },
      start(B, 1, 1001),
      end(B, 1, 1031),
      start(B, 2, 1031),
      { kind: 'campaign', runtime: 'a1111', ts: iso(1060), campaign_id: B, interruption: 'runtime_restart', lost_jobs: 4 },
    ];
    await deliverEvents(c, 'agent-a1111', 1, [...batchA, ...batchB], 'render-11');
    collectorNow = T0 + 3000 * S;
    const range = `from=${new Date(T0 - 3600 * S).toISOString()}&to=${new Date(T0 + 3600 * S).toISOString()}`;
    const get = async (id: string): Promise<ReturnType<typeof CampaignDetailSchema.parse>> => {
      const r = await getJson(c, `/api/v1/campaigns/${id}?${range}`);
      expect(r.status).toBe(200);
      return CampaignDetailSchema.parse(r.body);
    };
    // A: 4 of 4 planned jobs ok; images are not in the progress API (batch size unknown): 0, no rate
    expect(await get(A)).toMatchObject({
      source: 'a1111_batch',
      runtime: 'a1111',
      status: 'finished',
      planned_jobs: 4,
      done_jobs: 4,
      failed_jobs: 0,
      images: 0,
      images_per_min: null,
      completion_ratio: 1,
      interruptions: 0,
      remaining_s: null,
    });
    // B: 1 of 5 done in 30 s of work (1001 → 1031 s): 2 jobs/min; 4 left = 120 s after the last end (1031 s);
    // nothing for more than 10 min with work planned: stalled
    const b = await get(B);
    expect(b).toMatchObject({ status: 'stalled', planned_jobs: 5, done_jobs: 1, completion_ratio: 0.2, interruptions: 1, remaining_s: 120, eta: iso(1151) });
    expect(b.interruption_list).toEqual([
      {
        kind: 'runtime_restart',
        at: iso(1060),
        host: 'render-11',
        time_lost_s: null,
        jobs_lost: 4,
        jobs_redone: 0,
        jobs_resumed: 0,
        images_missing: null,
        training_resume: null,
        resumed_from_epoch: null,
      },
    ]);
  });
});
