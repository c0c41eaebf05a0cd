// AUTOMATIC1111 / Forge batches from `GET /sdapi/v1/progress` (docs/signals.md "A1111/Forge batches").
// The answer's shape is A1111's `ProgressResponse` (modules/api/models.py: progress 0..1,
// eta_relative seconds, state dict, current_image, textinfo) whose `state` is `State.dict()`
// (modules/shared_state.py: skipped, interrupted, stopping_generation, job, job_count,
// job_timestamp, job_no, sampling_step, sampling_steps). One generation request is one batch:
// `State.begin()` sets job_timestamp (its start, %Y%m%d%H%M%S) and job_count -1, processing sets
// job_count to the batch count, each batch iteration ends with `nextjob()` (job_no + 1), and
// `State.end()` sets job_count back to 0. A batch is a campaign (id `b-` + 16 hex of sha256(URL,
// job_timestamp)); each iteration is one job (`<campaign id>/<n>`, n from 1). Batch size is not in
// the progress answer: jobs are counted, images only where the runtime says. Pure, no I/O.
import { createHash } from 'node:crypto';
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import { z } from 'zod';

export const A1111ProgressSchema = z.object({
  progress: z.number(),
  eta_relative: z.number(),
  state: z
    .object({
      skipped: z.boolean().optional(),
      interrupted: z.boolean().optional(),
      job: z.string().optional(),
      job_count: z.number().int(),
      job_timestamp: z.string().optional(),
      job_no: z.number().int().nonnegative(),
      sampling_step: z.number().int().optional(),
      sampling_steps: z.number().int().optional(),
    })
    .passthrough(),
  current_image: z.string().nullable().optional(),
  textinfo: z.string().nullable().optional(),
});
export type A1111Progress = z.infer<typeof A1111ProgressSchema>;

/** The batch being followed. */
export interface OpenBatch {
  /** job_timestamp of the request. */
  stamp: string;
  campaignId: string;
  /** Batch count, once processing set it (job_count > 0). */
  jobCount?: number;
  /** Iteration running (job_no, 0-based) at the last poll. */
  jobNo: number;
  /** Iterations ended and reported. */
  ended: number;
  /** The current iteration's job_start was sent (it was seen from its start). */
  startSent: boolean;
  interrupted: boolean;
}

export interface BatchFollower {
  /** One progress answer at `atMs`: the events it makes. */
  observe(p: A1111Progress, atMs: number): RuntimeEvent[];
  /** The runtime went away and came back: the open batch's interruption (its remaining iterations lost). */
  restarted(atMs: number): RuntimeEvent[];
  /** The agent started again with this batch open (from its state file): the batch's `agent_restart` interruption. */
  agentRestarted(atMs: number): RuntimeEvent[];
  open(): OpenBatch | undefined;
}

export type BatchRuntime = 'a1111' | 'forge';

const hex16 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
const iso = (ms: number): string => new Date(ms).toISOString();

export function batchCampaignId(url: string, stamp: string): string {
  return `b-${hex16(`${url}\u0000${stamp}`)}`;
}

export function createBatchFollower(url: string, runtime: BatchRuntime, initial?: OpenBatch): BatchFollower {
  let cur: OpenBatch | undefined = initial === undefined ? undefined : { ...initial };
  const jobId = (b: OpenBatch, i: number): string => `${b.campaignId}/${i + 1}`;
  const tags = (b: OpenBatch): { campaign_id: string } => ({ campaign_id: b.campaignId });
  const start = (b: OpenBatch, i: number, atMs: number): RuntimeEventOf<'job_start'> => ({
    kind: 'job_start',
    runtime,
    ts: iso(atMs),
    job_id: jobId(b, i),
    ...tags(b),
  });
  const end = (b: OpenBatch, i: number, atMs: number, outcome: 'ok' | 'interrupted'): RuntimeEventOf<'job_end'> => ({
    kind: 'job_end',
    runtime,
    ts: iso(atMs),
    job_id: jobId(b, i),
    outcome,
    job_key: `${b.campaignId}/${i + 1}`,
    ...tags(b),
  });
  const plan = (b: OpenBatch, atMs: number): RuntimeEventOf<'campaign'> => ({
    kind: 'campaign',
    runtime,
    ts: iso(atMs),
    campaign_id: b.campaignId,
    ...(b.jobCount === undefined ? {} : { planned_jobs: b.jobCount }),
  });

  /** Iterations from b.ended up to (not including) `upTo` ended at atMs; the first with its start. */
  const endThrough = (b: OpenBatch, upTo: number, atMs: number, out: RuntimeEvent[], last: 'ok' | 'interrupted' = 'ok'): void => {
    for (let i = b.ended; i < upTo; i++) out.push(end(b, i, atMs, i === upTo - 1 ? last : 'ok'));
    b.ended = Math.max(b.ended, upTo);
  };

  function close(b: OpenBatch, atMs: number, out: RuntimeEvent[]): void {
    // A normal end: every iteration ran (those between two polls too); interrupted: the one running stopped.
    if (b.interrupted) endThrough(b, b.jobNo + 1, atMs, out, 'interrupted');
    else endThrough(b, Math.max(b.jobCount ?? 0, b.jobNo + 1), atMs, out);
    cur = undefined;
  }

  return {
    observe(p, atMs) {
      const out: RuntimeEvent[] = [];
      const s = p.state;
      const active = s.job_count !== 0 && s.job_timestamp !== undefined && s.job_timestamp !== '0';
      // the flag stays set after State.end() until the next begin(): it tells how this batch ended
      if (cur !== undefined && s.job_timestamp === cur.stamp && s.interrupted === true) cur.interrupted = true;
      if (cur !== undefined && (!active || s.job_timestamp !== cur.stamp)) close(cur, atMs, out);
      if (!active || s.job_timestamp === undefined) return out;
      if (cur === undefined) {
        // first seen mid-way (job_no > 0): the iterations before ran unseen and are not reported
        cur = {
          stamp: s.job_timestamp,
          campaignId: batchCampaignId(url, s.job_timestamp),
          jobNo: s.job_no,
          ended: s.job_no,
          startSent: true,
          interrupted: false,
        };
        if (s.job_count > 0) cur.jobCount = s.job_count;
        out.push(plan(cur, atMs), start(cur, s.job_no, atMs));
        cur.interrupted = s.interrupted === true;
        return out;
      }
      const b = cur;
      if (s.job_count > 0 && b.jobCount !== s.job_count) {
        b.jobCount = s.job_count;
        out.push(plan(b, atMs));
      }
      if (s.job_no > b.jobNo) {
        endThrough(b, s.job_no, atMs, out);
        b.jobNo = s.job_no;
        out.push(start(b, s.job_no, atMs));
      }
      b.interrupted = s.interrupted === true;
      return out;
    },
    restarted(atMs) {
      const b = cur;
      if (b === undefined) return [];
      cur = undefined;
      const lost = Math.max(0, (b.jobCount ?? b.jobNo + 1) - b.ended);
      return [{ kind: 'campaign', runtime, ts: iso(atMs), campaign_id: b.campaignId, interruption: 'runtime_restart', lost_jobs: lost }];
    },
    agentRestarted(atMs) {
      if (cur === undefined) return [];
      // iterations that ended while the agent was away are reported at the next poll (from `ended` on)
      cur.startSent = false;
      return [{ kind: 'campaign', runtime, ts: iso(atMs), campaign_id: cur.campaignId, interruption: 'agent_restart' }];
    },
    open: () => (cur === undefined ? undefined : { ...cur }),
  };
}
