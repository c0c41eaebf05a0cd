import { Metadata, status } from '@grpc/grpc-js';
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchStore } from './batch-store.js';
import { createMemoryStore } from './batch-store.js';
import { classify, type ExportClient } from './export-client.js';
import { createRetryingSender } from './retrying-sender.js';
import { backoffMs, type SendOutcome, type SendResult } from './send-result.js';

const log = pino({ level: 'silent' });

function req(seq: number): ExportRequest {
  return { agentId: 'a', batchSeq: seq, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] };
}

function grpcError(code: status, retryAfterS?: number): SendResult {
  const md = new Metadata();
  if (retryAfterS !== undefined) md.set('retry-after-s', String(retryAfterS));
  return classify(Object.assign(new Error(`code ${code}`), { code, details: '', metadata: md }));
}
const OK: SendResult = { status: 'ok', response: { acceptedRows: 1, duplicate: false } };

/** A client answering from a script of results (then ok), recording every send and its time. */
function scripted(results: SendResult[]): ExportClient & { sent: { seq: number; at: number; deadlineMs: number }[] } {
  const sent: { seq: number; at: number; deadlineMs: number }[] = [];
  return {
    sent,
    send(r, deadlineMs) {
      sent.push({ seq: r.batchSeq, at: Date.now(), deadlineMs });
      return Promise.resolve(results.shift() ?? OK);
    },
    close() {},
  };
}

describe('backoffMs', () => {
  it.each([
    [0, 0, 125],
    [0, 1, 250],
    [3, 0.5, 1500],
    [20, 1, 30_000],
  ])('attempt %i with random %f waits %i ms', (attempt, r, want) => {
    expect(backoffMs(attempt, 250, 30_000, () => r)).toBe(want);
  });
  it('never waits less than the collector hint', () => {
    expect(backoffMs(0, 250, 30_000, () => 0, 5000)).toBe(5000);
  });
});

describe('createRetryingSender', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends in batch_seq order, retries with backoff honouring retry-after-s, acks only on ok', async () => {
    const client = scripted([grpcError(status.UNAVAILABLE), grpcError(status.RESOURCE_EXHAUSTED, 4)]);
    const store = createMemoryStore(100);
    const outcomes: [SendOutcome, number][] = [];
    const s = createRetryingSender({ client, store, log, deadlineMs: 7000, random: () => 1, onOutcome: (o, seq) => outcomes.push([o, seq]) });
    const t0 = Date.now();
    for (const seq of [1, 2, 3]) store.append(req(seq));
    s.kick();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.sent.map((x) => [x.seq, x.at - t0])).toEqual([
      [1, 0], // UNAVAILABLE → 250 ms
      [1, 250], // RESOURCE_EXHAUSTED with retry-after-s 4 → 4000 ms, above the 500 ms backoff
      [1, 4250],
      [2, 4250],
      [3, 4250],
    ]);
    expect(client.sent.every((x) => x.deadlineMs === 7000)).toBe(true);
    expect(outcomes).toEqual([
      ['retry', 1],
      ['retry', 1],
      ['ok', 1],
      ['ok', 2],
      ['ok', 3],
    ]);
    expect(store.size).toBe(0);
    s.stop();
  });

  it('drops a batch refused as invalid and moves on, but keeps batches refused for the token', async () => {
    const client = scripted([grpcError(status.INVALID_ARGUMENT), grpcError(status.UNAUTHENTICATED)]);
    const store = createMemoryStore(100);
    const outcomes: SendOutcome[] = [];
    const s = createRetryingSender({ client, store, log, deadlineMs: 1000, backoff: { initialMs: 100, maxMs: 2000 }, onOutcome: (o) => outcomes.push(o) });
    store.append(req(1));
    store.append(req(2));
    s.kick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcomes).toEqual(['invalid', 'refused']);
    expect(store.size).toBe(1); // seq 2 kept while the token is refused, retried at the slowest pace
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcomes).toEqual(['invalid', 'refused', 'ok']);
    expect(store.size).toBe(0);
    s.stop();
  });

  it('keeps at most maxInFlight calls open and retries only what was not acked', async () => {
    let open = 0;
    let peak = 0;
    const answers = new Map<number, SendResult[]>([[2, [grpcError(status.UNAVAILABLE)]]]);
    const sent: number[] = [];
    const client: ExportClient = {
      async send(r) {
        sent.push(r.batchSeq);
        open++;
        peak = Math.max(peak, open);
        await new Promise((res) => setTimeout(res, 10));
        open--;
        return answers.get(r.batchSeq)?.shift() ?? OK;
      },
      close() {},
    };
    const store = createMemoryStore(100);
    const s = createRetryingSender({ client, store, log, deadlineMs: 1000, maxInFlight: 3, random: () => 0 });
    for (let seq = 1; seq <= 5; seq++) store.append(req(seq));
    s.kick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(peak).toBe(3);
    expect(sent).toEqual([1, 2, 3, 2, 4, 5]);
    expect(store.size).toBe(0);
    s.stop();
  });

  it('drain resolves true once the store is empty and false on timeout', async () => {
    const store = createMemoryStore(10);
    const s = createRetryingSender({ client: scripted(Array.from({ length: 100 }, () => grpcError(status.UNAVAILABLE))), store, log, deadlineMs: 1000 });
    store.append(req(1));
    s.kick();
    const drained = s.drain(500);
    await vi.advanceTimersByTimeAsync(600);
    expect(await drained).toBe(false);
    s.stop();
    const ok = createRetryingSender({ client: scripted([]), store, log, deadlineMs: 1000 });
    ok.kick();
    const d2 = ok.drain(500);
    await vi.advanceTimersByTimeAsync(100);
    expect(await d2).toBe(true);
  });
  it('acks a batch that vanished from its store and goes on with the next, without spinning', async () => {
    const mem = createMemoryStore(10);
    for (const seq of [1, 2]) mem.append(req(seq));
    let loads = 0;
    // A store that still lists seq 1 but can no longer load it (its spool file was lost).
    const store: BatchStore = {
      head: (n) => mem.head(n).map((b) => ({ seq: b.seq, load: () => (loads++, b.seq === 1 ? undefined : b.load()) })),
      ack: (seq) => mem.ack(seq),
      get size() {
        return mem.size;
      },
    };
    const client = scripted([]);
    const outcomes: [SendOutcome, number][] = [];
    const s = createRetryingSender({ client, store, log, deadlineMs: 1000, onOutcome: (o, seq) => outcomes.push([o, seq]) });
    s.kick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcomes).toEqual([
      ['vanished', 1],
      ['ok', 2],
    ]);
    expect(client.sent.map((x) => x.seq)).toEqual([2]);
    expect(loads).toBe(2);
    expect(store.size).toBe(0);
    s.stop();
  });
});
