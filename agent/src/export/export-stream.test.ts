import { Server, ServerCredentials, status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import { ExportRequest, TelemetryServiceService, type ExportResponse } from '@renderwatch/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { createExportClient, type ExportClient } from './export-client.js';
import type { SendResult } from './send-result.js';

/** What the test collector saw and how it answers: acks carry acceptedRows = 10 × batch_seq. */
interface Collector {
  port: number;
  unary: number[];
  streams: number;
  streamed: number[];
  /** Per batch_seq: refuse with this code instead of acking. */
  refuse: Map<number, number>;
  /** Batches whose ack is held back (never sent). */
  hold: Set<number>;
  server: Server;
}

const ack = (seq: number): ExportResponse => ({ acceptedRows: seq * 10, duplicate: false });

async function startCollector(withStream: boolean): Promise<Collector> {
  const server = new Server();
  const c: Collector = { port: 0, unary: [], streams: 0, streamed: [], refuse: new Map(), hold: new Set(), server };
  const impl = {
    export(call: ServerUnaryCall<ExportRequest, ExportResponse>, cb: sendUnaryData<ExportResponse>) {
      c.unary.push(call.request.batchSeq);
      const code = c.refuse.get(call.request.batchSeq);
      if (code !== undefined) cb({ code, details: `refused ${call.request.batchSeq}` });
      else cb(null, ack(call.request.batchSeq));
    },
    exportStream(call: ServerDuplexStream<ExportRequest, ExportResponse>) {
      c.streams++;
      call.on('data', (req: ExportRequest) => {
        c.streamed.push(req.batchSeq);
        const code = c.refuse.get(req.batchSeq);
        if (code !== undefined) call.emit('error', { code, details: `refused ${req.batchSeq}` });
        else if (!c.hold.has(req.batchSeq)) call.write(ack(req.batchSeq));
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  };
  // An older collector: the service without ExportStream (grpc-js answers UNIMPLEMENTED).
  const { exportStream: _omitted, ...unaryOnly } = TelemetryServiceService;
  server.addService(withStream ? TelemetryServiceService : unaryOnly, withStream ? impl : { export: impl.export });
  c.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  return c;
}

const batch = (seq: number): Uint8Array =>
  ExportRequest.encode({ agentId: 'a', batchSeq: seq, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] }).finish();

/** The outcome as status + acceptedRows or gRPC code, for exact comparisons. */
function shape(r: SendResult | undefined): string {
  if (r === undefined) return 'none';
  if (r.status === 'ok') return `ok ${r.response.acceptedRows}`;
  return `${r.status} ${String((r.error as Error & { code?: number }).code)}`;
}

const open: { collectors: Collector[]; clients: ExportClient[] } = { collectors: [], clients: [] };
afterEach(() => {
  for (const c of open.clients.splice(0)) c.close();
  for (const c of open.collectors.splice(0)) c.server.forceShutdown();
});

async function setup(withStream: boolean, extra: Partial<Parameters<typeof createExportClient>[0]> = {}): Promise<{ c: Collector; client: ExportClient }> {
  const c = await startCollector(withStream);
  open.collectors.push(c);
  const client = createExportClient({ address: `127.0.0.1:${c.port}`, stream: true, ...extra });
  open.clients.push(client);
  return { c, client };
}

describe('ExportStream client', () => {
  it('sends every batch as a message on one stream and matches each ack to its batch in order', async () => {
    const { c, client } = await setup(true);
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    const first = await Promise.all([send(batch(1), 5000), send(batch(2), 5000)]);
    const third = await send(batch(3), 5000);
    const decoded = await client.send(ExportRequest.decode(batch(4)), 5000);
    expect([...first, third, decoded].map(shape)).toEqual(['ok 10', 'ok 20', 'ok 30', 'ok 40']);
    expect(c.streams).toBe(1);
    expect(c.streamed).toEqual([1, 2, 3, 4]);
    expect(c.unary).toEqual([]);
  });

  it('a refused batch gets its status, the batches written after it come back retryable, and the next send opens a new stream', async () => {
    const { c, client } = await setup(true);
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    c.refuse.set(2, status.INVALID_ARGUMENT);
    c.hold.add(3); // written after the refused one: never acked on that stream
    const r = await Promise.all([send(batch(1), 5000), send(batch(2), 5000), send(batch(3), 5000)]);
    expect(r.map(shape)).toEqual(['ok 10', `failed ${status.INVALID_ARGUMENT}`, `retryable ${status.ABORTED}`]);
    c.hold.clear();
    expect(shape(await send(batch(3), 5000))).toBe('ok 30');
    expect(c.streams).toBe(2);
    expect(c.unary).toEqual([]);
  });

  it('a retryable refusal (RESOURCE_EXHAUSTED) is passed on to the batches behind it', async () => {
    const { c, client } = await setup(true);
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    c.refuse.set(1, status.RESOURCE_EXHAUSTED);
    c.hold.add(2);
    const r = await Promise.all([send(batch(1), 5000), send(batch(2), 5000)]);
    expect(r.map(shape)).toEqual([`retryable ${status.RESOURCE_EXHAUSTED}`, `retryable ${status.RESOURCE_EXHAUSTED}`]);
  });

  it('an ack that misses its deadline cancels the stream: that batch is retryable (DEADLINE_EXCEEDED), the next send works', async () => {
    const { c, client } = await setup(true);
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    c.hold.add(1);
    expect(shape(await send(batch(1), 300))).toBe(`retryable ${status.DEADLINE_EXCEEDED}`);
    c.hold.clear();
    expect(shape(await send(batch(1), 5000))).toBe('ok 10');
    expect(c.streams).toBe(2);
    expect(c.streamed).toEqual([1, 1]);
  });

  it('a collector without ExportStream (UNIMPLEMENTED): the batches go as Export calls, the stream is tried again after streamRetryMs', async () => {
    let t = 1_000_000;
    let fallbacks = 0;
    const { c, client } = await setup(false, { now: () => t, streamRetryMs: 60_000, onStreamUnimplemented: () => fallbacks++ });
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    const r = await Promise.all([send(batch(1), 5000), send(batch(2), 5000)]);
    expect(r.map(shape)).toEqual(['ok 10', 'ok 20']);
    expect(fallbacks).toBe(1);
    expect(shape(await send(batch(3), 5000))).toBe('ok 30');
    expect(fallbacks).toBe(1); // within streamRetryMs: straight to Export
    t += 60_000;
    expect(shape(await send(batch(4), 5000))).toBe('ok 40');
    expect(fallbacks).toBe(2); // tried the stream again, got UNIMPLEMENTED again
    // 1 and 2 fell back together, as two concurrent Export calls that may arrive in either order
    expect(new Set(c.unary.slice(0, 2))).toEqual(new Set([1, 2]));
    expect(c.unary.slice(2)).toEqual([3, 4]);
    c.refuse.set(5, status.UNAUTHENTICATED);
    expect(shape(await send(batch(5), 5000))).toBe(`failed ${status.UNAUTHENTICATED}`);
  });

  it('with stream off, every batch is an Export call of its own', async () => {
    const { c, client } = await setup(true, { stream: false });
    const send = client.sendEncoded as NonNullable<ExportClient['sendEncoded']>;
    expect((await Promise.all([send(batch(1), 5000), send(batch(2), 5000)])).map(shape)).toEqual(['ok 10', 'ok 20']);
    expect(c.streams).toBe(0);
    expect(c.unary.sort()).toEqual([1, 2]);
  });
});
