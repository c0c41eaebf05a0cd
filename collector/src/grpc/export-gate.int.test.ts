// The gate's byte budgets, over real sockets: a service that holds every call open, so the bytes
// of admitted messages stay in flight until the test answers them.
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ExportRequest, type ExportResponse, type TelemetryServiceServer } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createExportGate, type GateRefusal } from './export-gate.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';

const MSG = Buffer.from(ExportRequest.encode(ExportRequest.fromPartial({ agentId: 'a'.repeat(97) })).finish());
const held: ((err: null, r: ExportResponse) => void)[] = [];
const refusals: GateRefusal[] = [];
const gate = createExportGate({
  resolveTenant: (md) => {
    if (md.get('authorization')[0] !== 'Bearer good') throw new AppError('COL_ERR_AUTH_INVALID', 'bad token');
    return 't';
  },
  maxConnectionBytes: 250,
  maxGlobalBytes: 300,
  retryAfterS: 3,
  onRefused: (r) => refusals.push(r),
});
const impl: TelemetryServiceServer = { export: (_call, cb) => void held.push(cb), exportStream: (call) => call.end() };
let server: RunningGrpcServer;
const decoded: number[] = [];

beforeAll(async () => {
  server = await startGrpcServer(impl, {
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 1 << 20,
    interceptors: [gate.interceptor],
    onDecoded: (b) => decoded.push(b),
  });
});
afterAll(() => server.stop(100));

function send(client: Client, token = 'good'): Promise<{ code: number; retry: string | undefined }> {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/renderwatch.telemetry.v1.TelemetryService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      MSG,
      md,
      (err: ServiceError | null) => resolve({ code: err === null ? status.OK : err.code, retry: err?.metadata.get('retry-after-s')[0]?.toString() }),
    );
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('export gate', () => {
  it('admits up to the per-connection and the global bytes in flight, refuses beyond with a retry hint, and frees the bytes on the answer', async () => {
    expect(MSG.length).toBe(99);
    const a = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const b = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const a1 = send(a);
    await until(() => held.length === 1);
    const a2 = send(a);
    await until(() => held.length === 2);
    // connection A: 198 held; one more would be 297 > 250
    expect(await send(a)).toEqual({ code: status.RESOURCE_EXHAUSTED, retry: '3' });
    expect(gate.bytesInFlight).toBe(198);
    // connection B: 198 + 99 = 297 <= 300 globally
    const b1 = send(b);
    await until(() => held.length === 3);
    expect(gate.connections).toBe(2);
    // a fourth message would make 396 > 300 globally
    expect(await send(b)).toEqual({ code: status.RESOURCE_EXHAUSTED, retry: '3' });
    // a bad token is refused before its message is read, budget or not
    expect((await send(b, 'bad')).code).toBe(status.UNAUTHENTICATED);
    expect(refusals).toEqual(['connection_bytes', 'global_bytes', 'unauthenticated']);
    for (const cb of held.splice(0)) cb(null, { acceptedRows: 0, duplicate: false });
    expect((await Promise.all([a1, a2, b1])).map((r) => r.code)).toEqual([status.OK, status.OK, status.OK]);
    expect(gate.bytesInFlight).toBe(0);
    expect(gate.connections).toBe(0);
    // freed: connection A takes two again
    const again = [send(a), send(a)];
    await until(() => held.length === 2);
    for (const cb of held.splice(0)) cb(null, { acceptedRows: 0, duplicate: false });
    expect((await Promise.all(again)).map((r) => r.code)).toEqual([status.OK, status.OK]);
    // five admitted reads plus the two refused by bytes were decoded; the bad token's never was
    expect(decoded).toEqual(Array.from({ length: 7 }, () => 99));
    a.close();
    b.close();
  });
});
