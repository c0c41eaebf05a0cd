// A graceful stop ends the open ExportStreams itself: the batches a stream delivered are acked
// (their writes finish), then the stream ends with a retryable status, and stop() returns without
// waiting out its grace (an agent's stream stays open for hours: without this, every stop waited
// the whole grace and then cut the connection). Order, not time, is asserted: the grace here is
// far longer than the test, and `forced` says whether it ran out.
import { Client, credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { ExportRequest, ExportResponse, TelemetryServiceService } from '@renderwatch/proto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { IngestResult, IngestService } from '../ingest/ingest-service.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';
import { createTelemetryService, STOPPING } from './telemetry-service.js';

/** Longer than any test here may take: a stop that waits for it would fail the test on its outcome. */
const GRACE_MS = 20_000;

interface Held {
  seq: number;
  resolve: (r: IngestResult) => void;
}

/** An ingest that answers only when told to: the batches are "being written" while the server stops. */
function heldIngest(): { ingest: IngestService; held: Held[] } {
  const held: Held[] = [];
  return {
    held,
    ingest: {
      ingest: (_tenant, req) => new Promise<IngestResult>((resolve) => held.push({ seq: req.batchSeq, resolve })),
    },
  };
}

const encoded = (seq: number): Buffer =>
  Buffer.from(ExportRequest.encode(ExportRequest.fromPartial({ agentId: 'stop-agent', batchSeq: seq, host: { hostname: 'h', labels: {} } })).finish());

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

let server: RunningGrpcServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await server?.stop(100);
  server = undefined;
});

/** An ExportStream whose acks, status and the server's stop land in one event list, in the order they happened. */
function openStream(c: Client, events: string[], name: string): { call: ClientDuplexStream<Buffer, Buffer>; ended: Promise<void> } {
  const call = c.makeBidiStreamRequest(
    TelemetryServiceService.exportStream.path,
    (b: Buffer) => b,
    (b: Buffer) => b,
    new Metadata(),
    {},
  );
  call.on('data', (b: Buffer) => {
    const r = ExportResponse.decode(b);
    events.push(`${name} ack ${r.acceptedRows}`);
  });
  const ended = new Promise<void>((resolve) => {
    call.on('error', (e: ServiceError) => {
      events.push(`${name} status ${e.code} ${e.details}`);
      resolve();
    });
    call.on('status', (st: { code: number; details: string }) => {
      if (st.code === status.OK) {
        events.push(`${name} status 0`);
        resolve();
      }
    });
  });
  return { call, ended };
}

async function start(ingest: IngestService): Promise<{ server: RunningGrpcServer; client: Client }> {
  const impl = createTelemetryService({ ingest, resolveTenant: () => 't', log: pino({ level: 'silent' }) });
  server = await startGrpcServer(impl, { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 });
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
  return { server, client };
}

describe('graceful stop with open ExportStreams', () => {
  it('acks the batches received, then ends each stream with the retryable STOPPING status, and stop() does not wait out the grace', async () => {
    const { ingest, held } = heldIngest();
    const { server: s, client: c } = await start(ingest);
    const events: string[] = [];
    const busy = openStream(c, events, 'busy');
    const idle = openStream(c, events, 'idle');
    for (const seq of [1, 2, 3]) busy.call.write(encoded(seq));
    idle.call.write(encoded(7));
    await until(() => held.length === 4);
    held.find((h) => h.seq === 7)?.resolve({ acceptedRows: 7, duplicate: false });
    await until(() => events.includes('idle ack 7'));

    const stopped = s.stop(GRACE_MS).then((r) => {
      events.push(`stopped forced=${String(r.forced)}`);
    });
    busy.call.write(encoded(4)); // after the stop began: neither ingested nor acked (the agent sends it again)
    // The idle stream ends at once; the busy one only after its three batches are written and acked.
    await idle.ended;
    expect(events).toEqual(['idle ack 7', `idle status ${status.UNAVAILABLE} ${STOPPING.details}`]);
    for (const seq of [1, 2, 3]) held.find((h) => h.seq === seq)?.resolve({ acceptedRows: seq * 10, duplicate: false });
    await Promise.all([busy.ended, stopped]);
    expect(events).toEqual([
      'idle ack 7',
      `idle status ${status.UNAVAILABLE} ${STOPPING.details}`,
      'busy ack 10',
      'busy ack 20',
      'busy ack 30',
      `busy status ${status.UNAVAILABLE} ${STOPPING.details}`,
      'stopped forced=false',
    ]);
    expect(held.map((h) => h.seq).sort()).toEqual([1, 2, 3, 7]); // nothing read after the stop began was ingested
    server = undefined;
  });

  it('a stream the agent half-closed before the stop still ends OK after its acks', async () => {
    const { ingest, held } = heldIngest();
    const { server: s, client: c } = await start(ingest);
    const events: string[] = [];
    const st = openStream(c, events, 'closed');
    st.call.write(encoded(1));
    st.call.end();
    await until(() => held.length === 1);
    const stopped = s.stop(GRACE_MS).then((r) => {
      events.push(`stopped forced=${String(r.forced)}`);
    });
    held[0]?.resolve({ acceptedRows: 1, duplicate: false });
    await Promise.all([st.ended, stopped]);
    expect(events).toEqual(['closed ack 1', 'closed status 0', 'stopped forced=false']);
    server = undefined;
  });

  it('a batch refused while stopping ends its stream with its own status, not STOPPING', async () => {
    const held: ((err: unknown) => void)[] = [];
    const { server: s, client: c } = await start({ ingest: () => new Promise<IngestResult>((_r, reject) => held.push(reject)) });
    const events: string[] = [];
    const st = openStream(c, events, 'refused');
    st.call.write(encoded(1));
    await until(() => held.length === 1);
    const stopped = s.stop(GRACE_MS);
    held[0]?.(new AppError('COL_ERR_INGEST_INVALID', 'bad batch'));
    await st.ended;
    expect((await stopped).forced).toBe(false);
    expect(events).toEqual([`refused status ${status.INVALID_ARGUMENT} the export request is invalid: bad batch`]);
    server = undefined;
  });
});
