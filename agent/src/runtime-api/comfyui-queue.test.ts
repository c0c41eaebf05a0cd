import { describe, expect, it } from 'vitest';
import { workflowFingerprint } from '../campaigns/fingerprint.js';
import { graph, queueItem, SECRETS } from '../../test/support/comfyui-shapes.js';
import { QueueSchema, queueEventFor, queueSnapshot } from './comfyui-queue.js';

const NOW = 1_740_000_100_000;

describe('queueSnapshot', () => {
  it('counts running and pending prompts and the oldest wait from extra_data.create_time', () => {
    const q = QueueSchema.parse({
      queue_running: [queueItem(5, 'run-1', NOW - 90_000)],
      queue_pending: [queueItem(6, 'pend-1', NOW - 42_500), queueItem(7, 'pend-2', NOW - 12_345), queueItem(8, 'pend-3')],
    });
    expect(queueSnapshot(q, NOW)).toEqual({ running: 1, pending: 3, oldestWaitS: 42.5 });
  });

  it('gives no oldest wait when nothing waits or no item has a create_time (before 2025)', () => {
    expect(queueSnapshot(QueueSchema.parse({ queue_running: [queueItem(1, 'r')], queue_pending: [] }), NOW)).toEqual({ running: 1, pending: 0 });
    expect(queueSnapshot(QueueSchema.parse({ queue_running: [], queue_pending: [queueItem(2, 'p')] }), NOW)).toEqual({ running: 0, pending: 1 });
  });

  it('keeps only ids and times of the items, never the graph or workflow', () => {
    const q = QueueSchema.parse({ queue_running: [queueItem(5, 'run-1', NOW)], queue_pending: [] });
    const text = JSON.stringify(q);
    for (const s of SECRETS) expect(text).not.toContain(s);
    // the campaign keys: the submitting client's id and the graph's fingerprint (node types and links only)
    expect(q.queue_running[0]).toEqual({
      promptId: 'run-1',
      createTimeMs: NOW,
      clientId: 'b7a4b9a0e5c64c1f9a0c1d2e3f405162',
      fingerprint: workflowFingerprint(graph()),
    });
  });

  it('rejects a queue item without a prompt id', () => {
    expect(QueueSchema.safeParse({ queue_running: [[1]], queue_pending: [] }).success).toBe(false);
    expect(QueueSchema.safeParse({ queue_running: [] }).success).toBe(false);
  });
});

describe('queueEventFor', () => {
  const snap = { running: 1, pending: 2, oldestWaitS: 30 };

  it('emits on the first poll and when the depth changes', () => {
    expect(queueEventFor({}, snap, NOW, 60_000)).toEqual({
      kind: 'queue',
      runtime: 'comfyui',
      ts: '2025-02-19T21:21:40.000Z',
      pending: 2,
      running: 1,
      oldest_wait_s: 30,
    });
    expect(queueEventFor({ last: snap, lastAtMs: NOW }, { running: 1, pending: 1 }, NOW + 2000, 60_000)).toMatchObject({ pending: 1, running: 1 });
  });

  it('stays quiet while the depth holds, and repeats every heartbeat while prompts wait', () => {
    expect(queueEventFor({ last: snap, lastAtMs: NOW }, { ...snap, oldestWaitS: 32 }, NOW + 2000, 60_000)).toBeUndefined();
    expect(queueEventFor({ last: snap, lastAtMs: NOW }, { ...snap, oldestWaitS: 90 }, NOW + 60_000, 60_000)).toMatchObject({ pending: 2, oldest_wait_s: 90 });
    const idle = { running: 0, pending: 0 };
    expect(queueEventFor({ last: idle, lastAtMs: NOW }, idle, NOW + 600_000, 60_000)).toBeUndefined();
  });
});
