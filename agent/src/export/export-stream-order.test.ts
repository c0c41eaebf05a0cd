// The ExportStream client's order of events, driven by hand: grpc-js emits a call's status ('error'
// for a non-OK one, then 'status') as soon as the trailers arrive, and 'end' only once every message
// received before them was read. An ack already on its way when the status arrives is therefore read
// after the status: a batch must be settled from the status only at 'end', or an acked batch would
// be sent again (OK status) or take the refusal meant for a later batch.
import { EventEmitter } from 'node:events';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { ExportResponse } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { createExportStream, type StreamSendResult } from './export-stream.js';

/** A bidi call as the client sees it: what it wrote, and the events the test emits. */
class FakeCall extends EventEmitter {
  writes = 0;
  ended = false;
  cancelled = false;
  write(): boolean {
    this.writes++;
    return true;
  }
  end(): void {
    this.ended = true;
  }
  /** As grpc-js: a cancelled call ends with CANCELLED. */
  cancel(): void {
    this.cancelled = true;
    this.emit('error', refusal(status.CANCELLED));
    this.emit('status', { code: status.CANCELLED, details: 'cancelled', metadata: new Metadata() });
    this.emit('end');
  }
}

function setup(): { calls: FakeCall[]; stream: ReturnType<typeof createExportStream> } {
  const calls: FakeCall[] = [];
  const client = {
    makeBidiStreamRequest: () => {
      const c = new FakeCall();
      calls.push(c);
      return c;
    },
  } as unknown as Client;
  const stream = createExportStream({
    client,
    metadata: () => new Metadata(),
    classify: (err) => ({ status: 'failed', error: err }),
  });
  return { calls, stream };
}

const ack = (rows: number): ExportResponse => ({ acceptedRows: rows, duplicate: false });
const refusal = (code: number): ServiceError => Object.assign(new Error(`refused ${code}`), { code, details: `refused ${code}`, metadata: new Metadata() });
function shape(r: StreamSendResult): string {
  if (r.status === 'ok') return `ok ${r.response.acceptedRows}`;
  if (r.status === 'unimplemented') return 'unimplemented';
  return `${r.status} ${String((r.error as Error & { code?: number }).code)}`;
}
/** Lets every settled promise's callbacks run (no timers involved). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** The outcomes so far, in send order ('-' while unsettled). */
function track(ps: Promise<StreamSendResult>[]): string[] {
  const out = ps.map(() => '-');
  ps.forEach((p, i) => void p.then((r) => (out[i] = shape(r))));
  return out;
}

describe('ExportStream client, status before the last acks', () => {
  it('an OK status read before the acks: every batch is settled by its ack, at the end of the stream', async () => {
    const { calls, stream } = setup();
    const out = track([stream.send(new Uint8Array([1]), 60_000), stream.send(new Uint8Array([2]), 60_000)]);
    const [call] = calls;
    expect([calls.length, call?.writes]).toEqual([1, 2]);
    call?.emit('status', { code: status.OK, details: '', metadata: new Metadata() });
    await flush();
    expect(out).toEqual(['-', '-']); // the acks may still be unread
    call?.emit('data', ack(10));
    call?.emit('data', ack(20));
    call?.emit('end');
    await flush();
    expect(out).toEqual(['ok 10', 'ok 20']);
  });

  it('an OK status with an ack missing: the unacked batch comes back retryable at the end', async () => {
    const { calls, stream } = setup();
    const out = track([stream.send(new Uint8Array([1]), 60_000), stream.send(new Uint8Array([2]), 60_000)]);
    const call = calls[0];
    call?.emit('status', { code: status.OK, details: '', metadata: new Metadata() });
    call?.emit('data', ack(10));
    await flush();
    expect(out).toEqual(['ok 10', '-']);
    call?.emit('end');
    await flush();
    expect(out).toEqual(['ok 10', `retryable ${status.UNAVAILABLE}`]);
  });

  it('a refusal read before the ack of an earlier batch: the earlier batch is acked, the refusal goes to the next one', async () => {
    const { calls, stream } = setup();
    const out = track([1, 2, 3].map((b) => stream.send(new Uint8Array([b]), 60_000)));
    const call = calls[0];
    call?.emit('error', refusal(status.INVALID_ARGUMENT));
    call?.emit('status', { code: status.INVALID_ARGUMENT, details: 'refused', metadata: new Metadata() });
    await flush();
    expect(out).toEqual(['-', '-', '-']);
    call?.emit('data', ack(10));
    call?.emit('end');
    await flush();
    expect(out).toEqual(['ok 10', `failed ${status.INVALID_ARGUMENT}`, `retryable ${status.ABORTED}`]);
    // The stream is over: the next batch opens a new one.
    const next = track([stream.send(new Uint8Array([4]), 60_000)]);
    expect(calls).toHaveLength(2);
    stream.close(); // a batch waits: cancelled, the batch settled from the CANCELLED status
    await flush();
    expect([calls[1]?.cancelled, next]).toEqual([true, [`failed ${status.CANCELLED}`]]);
  });
});
