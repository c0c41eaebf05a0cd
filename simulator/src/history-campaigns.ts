// Campaigns of the demo history: batches submitted as one piece of work on one GPU, their plan, and
// an interruption (the runtime restarted mid-batch) followed by a resume where the batch was — or a
// start from the beginning. Deterministic from the campaign's definition, so any chunk of history
// computes the same timeline and keeps the part that falls in it.
import type { TimedEvent } from '@renderwatch/agent';
import type { RuntimeName } from '@renderwatch/schema';
import { WORKLOADS } from './workloads.js';

export interface CampaignStory {
  /** The user's label (extra_data) — or null: grouped by ComfyUI client id and workflow fingerprint. */
  label: string | null;
  startHoursAgo: number;
  jobs: number;
  family: 'sdxl' | 'flux' | 'wan';
  batch: number;
  /** The runtime restarts while this job (0-based) runs: it is lost. */
  interruptAtJob?: number;
  /** After the restart the batch goes on from the lost job (true) or starts over from job 0 (false). */
  resumed?: boolean;
}

export interface CampaignTimeline {
  events: TimedEvent[];
  spans: { from: number; to: number; vram: number }[];
}

function hash32(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

export function campaignTimeline(
  host: string,
  runtime: RuntimeName,
  gpu: number,
  speed: number,
  endMs: number,
  c: CampaignStory,
  runtimeState: (t: number) => { version: string; extensions: readonly string[] },
): CampaignTimeline {
  const w = WORKLOADS.find((x) => x.family === c.family) ?? WORKLOADS[0];
  if (w === undefined) return { events: [], spans: [] };
  const tag = hash32(`${host}/${c.label ?? ''}/${c.startHoursAgo}`)
    .toString(16)
    .padStart(8, '0');
  const id = c.label === null ? `c-${tag}` : `l-${tag}`;
  const fingerprint = `wf-${hash32(`${c.family}/${c.batch}`).toString(16).padStart(8, '0')}`;
  const events: TimedEvent[] = [];
  const spans: CampaignTimeline['spans'] = [];
  let t = endMs - c.startHoursAgo * 3600_000;
  const images = c.family === 'wan' ? 1 : c.batch;
  events.push({
    ts_unix_ms: Math.round(t),
    event: {
      kind: 'campaign',
      runtime,
      campaign_id: id,
      ...(c.label === null ? {} : { label: c.label }),
      workflow_fingerprint: fingerprint,
      planned_jobs: c.jobs,
      planned_images: c.jobs * images,
    },
  });
  const vram = w.base_bytes + (images - 1) * w.per_batch_bytes;
  let attempt = 0;
  let interrupted = false;
  for (let i = 0; i < c.jobs; i++) {
    const jitter = 0.95 + (hash32(`${id}/${i}/${attempt}`) % 1000) / 10_000;
    const dur = ((w.seconds_per_image * images) / speed) * jitter * 1000;
    const jobId = `${id}-${i}-${attempt}`;
    events.push({
      ts_unix_ms: Math.round(t),
      gpu_index: gpu,
      event: { kind: 'job_start', runtime, job_id: jobId, campaign_id: id, workflow_fingerprint: fingerprint },
    });
    if (!interrupted && i === c.interruptAtJob) {
      // the runtime goes down halfway through this job, comes back 45 s later
      interrupted = true;
      const down = t + dur / 2;
      const state = runtimeState(down);
      events.push({
        ts_unix_ms: Math.round(down),
        cold: false,
        event: { kind: 'runtime_start', runtime, version: state.version, extensions: [...state.extensions] },
      });
      events.push({ ts_unix_ms: Math.round(down + 45_000), event: { kind: 'runtime_ready', runtime, startup_s: 45, url: 'http://127.0.0.1:8188' } });
      events.push({
        ts_unix_ms: Math.round(down + 45_000),
        event: { kind: 'campaign', runtime, campaign_id: id, interruption: 'runtime_restart', lost_jobs: 1 },
      });
      spans.push({ from: t, to: down, vram });
      t = down + 50_000;
      attempt++;
      i = c.resumed === false ? -1 : i - 1;
      continue;
    }
    events.push({
      ts_unix_ms: Math.round(t + dur),
      gpu_index: gpu,
      event: {
        kind: 'job_end',
        runtime,
        job_id: jobId,
        duration_s: Math.round(dur / 10) / 100,
        outcome: 'ok',
        images,
        width: w.width,
        height: w.height,
        steps: w.steps,
        batch: images,
        model: w.model,
        campaign_id: id,
        workflow_fingerprint: fingerprint,
        job_key: `${id}-k${i}`,
      },
    });
    spans.push({ from: t, to: t + dur, vram });
    t += dur + 3000;
  }
  return { events, spans };
}
