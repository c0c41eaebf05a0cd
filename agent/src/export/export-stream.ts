// Batches on one long-lived ExportStream call (proto: TelemetryService.ExportStream): each batch is
// one message, each ack one response, in the order sent. A batch costs one message on an open
// HTTP/2 stream instead of a call of its own (stream, metadata, headers, trailers and grpc-js's
// call objects every 2 s). The collector keeps the unary Export's dedup on (agent_id, batch_seq),
// so a batch written on a stream that broke before its ack is simply sent again.
//
// The first batch the collector refuses ends the stream with that batch's status (what Export would
// have answered); the batches written after it were not acknowledged and come back as retryable.
// A deadline per batch: an ack that does not come in time cancels the stream (the batch and every
// later one are retryable). A collector without the method answers UNIMPLEMENTED: every batch
// waiting on that stream comes back as `unimplemented` and the caller sends them with Export.
import { status, type Client, type ClientDuplexStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { TelemetryServiceService, type ExportResponse } from '@renderwatch/proto';
import type { SendResult } from './send-result.js';

export type StreamSendResult = SendResult | { status: 'unimplemented' };

export interface ExportStream {
  /** Writes one encoded ExportRequest on the stream (opened when needed) and resolves with its ack. */
  send(req: Uint8Array, deadlineMs: number): Promise<StreamSendResult>;
  /** Half-closes the stream when nothing waits for an ack, else cancels it (the waiting batches come back retryable). */
  close(): void;
}

export interface ExportStreamOptions {
  client: Client;
  metadata: () => Metadata;
  /** How a call's error becomes a SendResult (export-client.ts `classify`). */
  classify: (err: ServiceError) => SendResult;
}

interface Waiting {
  resolve: (r: StreamSendResult) => void;
  timer: NodeJS.Timeout;
}

interface Open {
  call: ClientDuplexStream<Uint8Array, ExportResponse>;
  waiting: Waiting[];
  /** The oldest batch's deadline passed: the stream was cancelled for it. */
  timedOut: boolean;
  /** Its status arrived: later batches go on a new stream. */
  dead: boolean;
}

const rpc = TelemetryServiceService.exportStream;
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** An error that carries a gRPC code, as grpc-js's own errors do. */
function codedError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

export function createExportStream(o: ExportStreamOptions): ExportStream {
  let cur: Open | undefined;

  /** The stream ended (status and end of its messages both seen): settles every batch still waiting. */
  function finish(s: Open, err: ServiceError | undefined): void {
    if (cur === s) cur = undefined;
    const waiting = s.waiting.splice(0);
    for (const w of waiting) clearTimeout(w.timer);
    const [first, ...rest] = waiting;
    if (first === undefined) return;
    if (err?.code === status.UNIMPLEMENTED) {
      for (const w of waiting) w.resolve({ status: 'unimplemented' });
      return;
    }
    let head: SendResult;
    if (s.timedOut) head = { status: 'retryable', error: codedError(status.DEADLINE_EXCEEDED, 'no ack on the export stream before the deadline') };
    else if (err === undefined) head = { status: 'retryable', error: codedError(status.UNAVAILABLE, 'the collector ended the export stream before acking') };
    else head = o.classify(err);
    first.resolve(head);
    // Not acknowledged because an earlier batch ended the stream: sent again (after the sender's
    // backoff, which honours the collector's retry hint when the head carried one).
    const again: SendResult =
      head.status === 'retryable'
        ? head
        : { status: 'retryable', error: codedError(status.ABORTED, 'not acknowledged: an earlier batch ended the export stream') };
    for (const w of rest) w.resolve(again);
  }

  function open(): Open {
    const call = o.client.makeBidiStreamRequest<Uint8Array, ExportResponse>(rpc.path, asBuffer, rpc.responseDeserialize, o.metadata(), {});
    const s: Open = { call, waiting: [], timedOut: false, dead: false };
    let ended = false;
    let final: { err: ServiceError | undefined } | undefined;
    call.on('data', (res: ExportResponse) => {
      const w = s.waiting.shift();
      if (w === undefined) return; // an ack for nothing: ignored (the stream is ours alone)
      clearTimeout(w.timer);
      w.resolve({ status: 'ok', response: res });
    });
    // grpc-js emits 'error' (non-OK) and 'status' as soon as the status arrives, 'end' once every
    // message before it was delivered: a batch is settled from the status only after its ack had
    // its chance to arrive.
    call.on('error', (err: ServiceError) => {
      s.dead = true;
      final = { err };
      if (ended) finish(s, err);
    });
    call.on('status', (st: { code: number }) => {
      s.dead = true;
      if (final === undefined) final = { err: undefined };
      if (st.code === status.OK && ended) finish(s, undefined);
    });
    call.on('end', () => {
      ended = true;
      if (final !== undefined) finish(s, final.err);
    });
    return s;
  }

  return {
    send(req, deadlineMs) {
      if (cur === undefined || cur.dead) cur = open();
      const s = cur;
      return new Promise<StreamSendResult>((resolve) => {
        const timer = setTimeout(() => {
          if (!s.waiting.some((w) => w.timer === timer)) return;
          s.timedOut = true;
          s.dead = true;
          s.call.cancel();
        }, deadlineMs);
        s.waiting.push({ resolve, timer });
        s.call.write(asBuffer(req));
      });
    },
    close() {
      const s = cur;
      cur = undefined;
      if (s === undefined) return;
      if (s.waiting.length === 0) s.call.end();
      else s.call.cancel();
    },
  };
}
