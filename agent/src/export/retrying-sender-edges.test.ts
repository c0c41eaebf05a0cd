// The retrying sender's edges (written for the mutation survivors of retrying-sender.ts): the
// encoded path of a disk spool, what every outcome reports (result, rows), a sender without an
// outcome callback, a send that throws, the token-refusal log once a minute, auth among other
// retries, and stop. The main behaviour is in retrying-sender.test.ts.
import { Metadata, status } from '@grpc/grpc-js';
import { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchStore, StoredBatch } from './batch-store.js';
import { classify, type ExportClient } from './export-client.js';
import { createRetryingSender } from './retrying-sender.js';
import type { SendOutcome, SendResult } from './send-result.js';

const req = (seq: number): ExportRequest => ({ agentId: 'a', batchSeq: seq, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] });
const OK: SendResult = { status: 'ok', response: { acceptedRows: 1, duplicate: false } };
const DUP: SendResult = { status: 'ok', response: { acceptedRows: 0, duplicate: true } };
const fail = (code: status): SendResult => classify(Object.assign(new Error(`code ${code}`), { code, details: '', metadata: new Metadata() }));

/** A store of the given batches; `rows` and `bytes` as a disk spool gives them. */
function store(batches: Array<{ seq: number; rows?: number; encoded?: boolean }>): BatchStore & { acked: number[] } {
  const live = [...batches];
  const acked: number[] = [];
  return {
    acked,
    head: (n) =>
      live.slice(0, n).map((b): StoredBatch => ({
        seq: b.seq,
        load: () => req(b.seq),
        ...(b.encoded === true ? { bytes: () => ExportRequest.encode(req(b.seq)).finish() } : {}),
        ...(b.rows === undefined ? {} : { rows: b.rows }),
      })),
    ack(seq) {
      acked.push(seq);
      const i = live.findIndex((b) => b.seq === seq);
      if (i >= 0) live.splice(i, 1);
    },
    get size() {
      return live.length;
    },
  };
}

function client(results: SendResult[], encoded: boolean): ExportClient & { calls: string[] } {
  const calls: string[] = [];
  const next = (): Promise<SendResult> => Promise.resolve(results.shift() ?? OK);
  return {
    calls,
    send(r) {
      calls.push(`send ${r.batchSeq}`);
      return next();
    },
    ...(encoded
      ? {
          sendEncoded(bytes: Uint8Array) {
            calls.push(`sendEncoded ${ExportRequest.decode(bytes).batchSeq}`);
            return next();
          },
        }
      : {}),
    close() {},
  };
}

function capture(): { log: pino.Logger; lines: Array<{ level: number; msg: string; time: number }> } {
  const lines: Array<{ level: number; msg: string; time: number }> = [];
  return { lines, log: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string; time: number }) }) };
}

describe('retrying sender edges', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a spooled batch as its bytes when the client takes bytes, else decoded', async () => {
    const c = client([], true);
    createRetryingSender({ client: c, store: store([{ seq: 1, encoded: true }, { seq: 2 }]), log: pino({ level: 'silent' }), deadlineMs: 1000 }).kick();
    await vi.advanceTimersByTimeAsync(10);
    expect(c.calls).toEqual(['sendEncoded 1', 'send 2']);
    const plain = client([], false);
    createRetryingSender({ client: plain, store: store([{ seq: 3, encoded: true }]), log: pino({ level: 'silent' }), deadlineMs: 1000 }).kick();
    await vi.advanceTimersByTimeAsync(10);
    expect(plain.calls).toEqual(['send 3']);
  });

  it('reports each outcome with its result and the batch rows (0 when the store does not know)', async () => {
    const results = [OK, DUP, fail(status.UNAVAILABLE), fail(status.UNAUTHENTICATED), fail(status.INVALID_ARGUMENT)];
    const got: Array<[SendOutcome, number, string | undefined, number]> = [];
    const st = store([{ seq: 1, rows: 11 }, { seq: 2, rows: 22 }, { seq: 3, rows: 33 }, { seq: 4 }]);
    createRetryingSender({
      client: client([...results], false),
      store: st,
      log: pino({ level: 'silent' }),
      deadlineMs: 1000,
      backoff: { initialMs: 100, maxMs: 1000 },
      random: () => 1,
      onOutcome: (o, seq, r, rows) => got.push([o, seq, r?.status, rows]),
    }).kick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(got).toEqual([
      ['ok', 1, 'ok', 11],
      ['duplicate', 2, 'ok', 22],
      ['retry', 3, 'retryable', 33],
      ['refused', 3, 'failed', 33],
      ['invalid', 3, 'failed', 33],
      ['ok', 4, 'ok', 0],
    ]);
    expect(st.acked).toEqual([1, 2, 3, 4]);
  });

  it('works without an outcome callback: an acked batch starts no retry', async () => {
    const st = store([{ seq: 1 }, { seq: 2 }]);
    const s = createRetryingSender({ client: client([OK, DUP], false), store: st, log: pino({ level: 'silent' }), deadlineMs: 1000 });
    s.kick();
    await vi.advanceTimersByTimeAsync(10);
    expect([st.acked, s.attempt]).toEqual([[1, 2], 0]);
    const gone = store([]);
    const g = createRetryingSender({
      client: client([fail(status.INVALID_ARGUMENT)], false),
      store: store([{ seq: 5 }]),
      log: pino({ level: 'silent' }),
      deadlineMs: 1000,
    });
    g.kick();
    await vi.advanceTimersByTimeAsync(10);
    expect([g.attempt, gone.size]).toEqual([0, 0]);
  });

  it('a send that throws is retried with backoff, logged as such', async () => {
    const { log, lines } = capture();
    let calls = 0;
    const throwing: ExportClient = {
      send: () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(OK);
      },
      close() {},
    };
    const st = store([{ seq: 1 }]);
    const s = createRetryingSender({ client: throwing, store: st, log, deadlineMs: 1000, backoff: { initialMs: 100, maxMs: 1000 }, random: () => 1 });
    s.kick();
    await vi.advanceTimersByTimeAsync(10);
    expect([calls, s.attempt, st.size]).toEqual([1, 1, 1]);
    expect(lines.map((l) => l.msg)).toEqual(['export send threw', 'collector unavailable, retrying with backoff']);
    await vi.advanceTimersByTimeAsync(100); // backoff of attempt 0 with random 1: 100 ms
    expect([calls, s.attempt, st.size]).toEqual([2, 0, 0]);
  });

  it('logs a refused token at most once a minute and waits the longest backoff while the token is refused', async () => {
    const { log, lines } = capture();
    const refused = Array.from({ length: 10 }, () => fail(status.PERMISSION_DENIED));
    const c = client(refused, false);
    const s = createRetryingSender({
      client: c,
      store: store([{ seq: 1 }]),
      log,
      deadlineMs: 1000,
      backoff: { initialMs: 100, maxMs: 20_000 },
      random: () => 1,
    });
    s.kick();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(19_900);
    expect(c.calls).toHaveLength(1); // the refusal waits maxMs, not the 100 ms backoff
    await vi.advanceTimersByTimeAsync(60_095);
    expect(c.calls).toHaveLength(5); // sends at 0, 20, 40, 60 and 80 s
    // logged at 0 s, not at 60 s (exactly a minute is not more than a minute), again at 80 s
    const errors = lines.filter((l) => l.msg.startsWith('collector refused the agent token'));
    expect(errors.map((l) => l.time - (errors[0]?.time ?? 0))).toEqual([0, 80_000]);
    s.stop();
  });

  it('a refusal among ordinary retries still waits the longest backoff', async () => {
    const c = client([fail(status.UNAVAILABLE), fail(status.UNAUTHENTICATED)], false);
    const s = createRetryingSender({
      client: c,
      store: store([{ seq: 1 }, { seq: 2 }]),
      log: pino({ level: 'silent' }),
      deadlineMs: 1000,
      maxInFlight: 2,
      backoff: { initialMs: 100, maxMs: 5000 },
      random: () => 1,
    });
    s.kick();
    await vi.advanceTimersByTimeAsync(4990);
    expect(c.calls).toEqual(['send 1', 'send 2']);
    await vi.advanceTimersByTimeAsync(20);
    expect(c.calls).toEqual(['send 1', 'send 2', 'send 1', 'send 2']);
  });

  it('logs a batch refused as invalid with its seq; stop ends the retries; a kick during a backoff sends nothing early', async () => {
    const { log, lines } = capture();
    const c = client([fail(status.INVALID_ARGUMENT), fail(status.UNAVAILABLE), fail(status.UNAVAILABLE)], false);
    const s = createRetryingSender({
      client: c,
      store: store([{ seq: 7 }, { seq: 8 }]),
      log,
      deadlineMs: 1000,
      backoff: { initialMs: 1000, maxMs: 1000 },
      random: () => 1,
    });
    s.kick();
    await vi.advanceTimersByTimeAsync(10);
    expect(lines.find((l) => l.msg === 'collector refused a batch as invalid; dropped')).toMatchObject({ batchSeq: 7 });
    expect(c.calls).toEqual(['send 7', 'send 8']);
    s.kick(); // inside the 1 s backoff: nothing
    await vi.advanceTimersByTimeAsync(500);
    expect(c.calls).toEqual(['send 7', 'send 8']);
    await vi.advanceTimersByTimeAsync(500);
    expect(c.calls).toEqual(['send 7', 'send 8', 'send 8']);
    s.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.calls).toEqual(['send 7', 'send 8', 'send 8']);
    s.kick(); // stopped: never again
    await vi.advanceTimersByTimeAsync(10);
    expect(c.calls).toHaveLength(3);
  });

  it('warns once per outage however many retries it takes; a vanished batch is no failure; one send at a time', async () => {
    const { log, lines } = capture();
    let inFlight = 0;
    let most = 0;
    const results = [fail(status.UNAVAILABLE), fail(status.UNAVAILABLE), fail(status.UNAVAILABLE)];
    const slow: ExportClient = {
      async send() {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 50));
        inFlight--;
        return results.shift() ?? OK;
      },
      close() {},
    };
    const st = store([{ seq: 1 }]);
    const s = createRetryingSender({ client: slow, store: st, log, deadlineMs: 1000, backoff: { initialMs: 100, maxMs: 100 }, random: () => 1 });
    s.kick();
    s.kick(); // while the first send is in flight: no second one
    await vi.advanceTimersByTimeAsync(10);
    s.kick();
    await vi.advanceTimersByTimeAsync(2000);
    expect([most, st.size, s.attempt]).toEqual([1, 0, 0]);
    expect(lines.filter((l) => l.msg === 'collector unavailable, retrying with backoff')).toHaveLength(1);
    // a batch the store lost is acked and reported, and starts no backoff
    const lost: BatchStore & { acked: number[] } = { ...store([]), acked: [] };
    let listed = true;
    lost.head = () => (listed ? [{ seq: 9, load: () => undefined }] : []);
    lost.ack = (seq) => {
      listed = false;
      lost.acked.push(seq);
    };
    const outcomes: SendOutcome[] = [];
    const v = createRetryingSender({
      client: client([], false),
      store: lost,
      log: pino({ level: 'silent' }),
      deadlineMs: 1000,
      onOutcome: (o) => outcomes.push(o),
    });
    v.kick();
    await vi.advanceTimersByTimeAsync(10);
    expect([outcomes, lost.acked, v.attempt]).toEqual([['vanished'], [9], 0]);
  });
});
