// The gate's bytes in flight come back on every way a call can end, over real sockets: a server
// deadline (grpc-js answers DEADLINE_EXCEEDED itself, past the interceptor's sendStatus), a client
// cancel, a handler error, and an ExportStream that is acked, refused or cancelled half way. A leak
// on any of these paths would leave a connection (and in the end the collector) refusing every call
// with RESOURCE_EXHAUSTED while agents retry — what the ClickHouse outage test would show as a fleet
// that never drains. After each case the budget is checked to be exactly 0 and a full-budget call
// to be admitted again.
import { Client, credentials, Metadata, status, type ClientDuplexStream, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { ExportRequest, ExportResponse, TelemetryServiceService, type TelemetryServiceServer } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createExportGate } from './export-gate.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';
import { toGrpcStatus } from './to-grpc-status.js';

const MSG = Buffer.from(ExportRequest.encode(ExportRequest.fromPartial({ agentId: 'a'.repeat(97) })).finish());
/** Two messages fit on one connection, a third does not. */
const gate = createExportGate({ resolveTenant: () => 't', maxConnectionBytes: 250, maxGlobalBytes: 1000, retryAfterS: 1 });

/** What the service does with the next call: never answer, answer an error, or (streams) ack each message then fail or end. */
let mode: 'hang' | 'error' | 'ok' = 'hang';
let arrived = 0;
const impl: TelemetryServiceServer = {
  export: (_call, cb) => {
    arrived++;
    if (mode === 'error') cb(toGrpcStatus(new AppError('COL_ERR_STORAGE_UNREACHABLE', 'down', { retryAfterS: 1 })));
    else if (mode === 'ok') cb(null, { acceptedRows: 0, duplicate: false });
  },
  exportStream: (call) => {
    call.on('data', () => {
      arrived++;
      if (mode === 'ok') call.write({ acceptedRows: 0, duplicate: false });
      else if (mode === 'error') call.emit('error', { code: status.UNAVAILABLE, details: 'down' });
    });
    call.on('end', () => call.end());
  },
};
let server: RunningGrpcServer;
let client: Client;

beforeAll(async () => {
  server = await startGrpcServer(impl, { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, interceptors: [gate.interceptor] });
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.stop(100);
});

function unary(deadlineMs?: number): { done: Promise<number>; cancel: () => void } {
  let call: ClientUnaryCall | undefined;
  const done = new Promise<number>((resolve) => {
    call = client.makeUnaryRequest(
      '/renderwatch.telemetry.v1.TelemetryService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      MSG,
      new Metadata(),
      deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      (err: ServiceError | null) => resolve(err === null ? status.OK : err.code),
    );
  });
  return { done, cancel: () => call?.cancel() };
}

function stream(): { call: ClientDuplexStream<Buffer, Buffer>; acks: () => number; done: Promise<number> } {
  let acks = 0;
  const call = client.makeBidiStreamRequest(
    TelemetryServiceService.exportStream.path,
    (b: Buffer) => b,
    (b: Buffer) => b,
    new Metadata(),
    {},
  );
  call.on('data', (b: Buffer) => {
    ExportResponse.decode(b);
    acks++;
  });
  const done = new Promise<number>((resolve) => {
    call.on('error', (e: ServiceError) => resolve(e.code));
    call.on('status', (st: { code: number }) => resolve(st.code));
  });
  return { call, acks: () => acks, done };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

/** The budget is back to zero and the connection takes two messages again. */
async function budgetIsFree(): Promise<void> {
  await until(() => gate.bytesInFlight === 0);
  expect(gate.connections).toBe(0);
  mode = 'ok';
  expect(await Promise.all([unary().done, unary().done])).toEqual([status.OK, status.OK]);
  expect(gate.bytesInFlight).toBe(0);
}

describe('export gate: bytes in flight are released however a call ends', () => {
  it('a call that runs into its deadline (status sent by grpc-js, not through the interceptor)', async () => {
    mode = 'hang';
    arrived = 0;
    const calls = [unary(300), unary(300)];
    await until(() => arrived === 2);
    expect(gate.bytesInFlight).toBe(2 * MSG.length);
    expect(await unary(300).done).toBe(status.RESOURCE_EXHAUSTED); // the third does not fit
    expect(await Promise.all(calls.map((c) => c.done))).toEqual([status.DEADLINE_EXCEEDED, status.DEADLINE_EXCEEDED]);
    await budgetIsFree();
  });

  it('a call the client cancels', async () => {
    mode = 'hang';
    arrived = 0;
    const calls = [unary(), unary()];
    await until(() => arrived === 2);
    expect(gate.bytesInFlight).toBe(2 * MSG.length);
    for (const c of calls) c.cancel();
    expect(await Promise.all(calls.map((c) => c.done))).toEqual([status.CANCELLED, status.CANCELLED]);
    await budgetIsFree();
  });

  it('a call the handler answers with an error (ClickHouse down), many times over', async () => {
    mode = 'error';
    // Ten times the connection budget in refused calls: each one's bytes come back.
    for (let i = 0; i < 10; i++) expect(await Promise.all([unary().done, unary().done])).toEqual([status.UNAVAILABLE, status.UNAVAILABLE]);
    await budgetIsFree();
  });

  it('an ExportStream: each ack frees its message; the end, a refusal and a cancel free the rest', async () => {
    mode = 'ok';
    const acked = stream();
    for (let i = 0; i < 6; i++) acked.call.write(MSG);
    await until(() => acked.acks() === 6);
    expect(gate.bytesInFlight).toBe(0);
    acked.call.end();
    expect(await acked.done).toBe(status.OK);

    mode = 'error';
    arrived = 0;
    const refused = stream();
    refused.call.write(MSG);
    expect(await refused.done).toBe(status.UNAVAILABLE);
    await until(() => gate.bytesInFlight === 0);

    mode = 'hang';
    arrived = 0;
    const cancelled = stream();
    cancelled.call.write(MSG);
    cancelled.call.write(MSG);
    await until(() => arrived === 2);
    expect(gate.bytesInFlight).toBe(2 * MSG.length);
    cancelled.call.cancel();
    expect(await cancelled.done).toBe(status.CANCELLED);
    await budgetIsFree();
  });
});
