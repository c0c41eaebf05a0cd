// ComfyUI `GET /queue` (docs/research/runtime-logs.md "2.1 ComfyUI") → queue depth and time in queue. Pure. Each item is
// `[number, prompt_id, prompt_graph, extra_data, outputs_to_execute]`; only the id,
// `extra_data.create_time` (ms, ComfyUI 2025+), extra_data's campaign keys and the graph's
// fingerprint (node types and links, campaigns/fingerprint.ts) are read: the graph's values and the
// workflow carry prompt text.
import type { RuntimeEventOf } from '@renderwatch/schema';
import { z } from 'zod';
import { workflowFingerprint } from '../campaigns/fingerprint.js';
import { declaredCampaign, type DeclaredCampaign } from '../campaigns/label.js';

const ExtraDataSchema = z.object({ create_time: z.number().finite().nonnegative().optional() });

/** One queue item; positions past `extra_data` are not looked at. */
const QueueItemSchema = z
  .array(z.unknown())
  .min(2)
  .transform((a, ctx) => {
    const id = a[1];
    if (typeof id !== 'string' && typeof id !== 'number') {
      ctx.addIssue({ code: 'custom', message: 'queue item without a prompt id' });
      return z.NEVER;
    }
    const extra = ExtraDataSchema.safeParse(a[3]);
    const createTime = extra.success ? extra.data.create_time : undefined;
    const fingerprint = workflowFingerprint(a[2]);
    const declared: DeclaredCampaign = declaredCampaign(a[3]);
    return {
      promptId: String(id),
      ...(createTime === undefined ? {} : { createTimeMs: createTime }),
      ...(fingerprint === undefined ? {} : { fingerprint }),
      ...declared,
    };
  });

export const QueueSchema = z.object({
  queue_running: z.array(QueueItemSchema),
  queue_pending: z.array(QueueItemSchema),
});
export type QueueJson = z.infer<typeof QueueSchema>;

export interface QueueSnapshot {
  readonly running: number;
  readonly pending: number;
  /** Wait of the oldest pending prompt, seconds; absent when nothing waits or no create_time. */
  readonly oldestWaitS?: number;
}

export function queueSnapshot(q: QueueJson, nowMs: number): QueueSnapshot {
  let oldest: number | undefined;
  for (const item of q.queue_pending) {
    if (item.createTimeMs !== undefined && (oldest === undefined || item.createTimeMs < oldest)) oldest = item.createTimeMs;
  }
  const snap = { running: q.queue_running.length, pending: q.queue_pending.length };
  if (oldest === undefined) return snap;
  return { ...snap, oldestWaitS: Math.round(Math.max(0, nowMs - oldest) / 10) / 100 };
}

export interface QueueEmitState {
  readonly last?: QueueSnapshot;
  readonly lastAtMs?: number;
}

/**
 * The `queue` event for this poll, or undefined when nothing worth sending changed: sent when the
 * depth (pending or running) changes, and every `heartbeatMs` while prompts wait (their wait grows).
 */
export function queueEventFor(prev: QueueEmitState, snap: QueueSnapshot, nowMs: number, heartbeatMs: number): RuntimeEventOf<'queue'> | undefined {
  const last = prev.last;
  const changed = last === undefined || last.pending !== snap.pending || last.running !== snap.running;
  const due = snap.pending > 0 && (prev.lastAtMs === undefined || nowMs - prev.lastAtMs >= heartbeatMs);
  if (!changed && !due) return undefined;
  const e: RuntimeEventOf<'queue'> = { kind: 'queue', runtime: 'comfyui', ts: new Date(nowMs).toISOString(), pending: snap.pending, running: snap.running };
  if (snap.oldestWaitS !== undefined) e.oldest_wait_s = snap.oldestWaitS;
  return e;
}
