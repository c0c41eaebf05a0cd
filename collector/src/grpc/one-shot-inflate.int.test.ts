// The one-shot inflate path answers exactly as grpc-js's streaming path did: the message, or
// RESOURCE_EXHAUSTED past the receive limit (a gzip bomb stops there), or INTERNAL for bad bytes.
import { gzipSync } from 'node:zlib';
import { connect } from 'node:http2';
import { EXPORT_METHOD_PATH, ExportRequest, type TelemetryServiceServer } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOneShotInflate, ONE_SHOT_MAX_BYTES } from './one-shot-inflate.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';

const received: ExportRequest[] = [];
const impl: TelemetryServiceServer = {
  export: (unary, cb) => {
    received.push(unary.request);
    cb(null, { acceptedRows: unary.request.gpuSamples.length, duplicate: false });
  },
  exportStream: (stream) => stream.end(),
};
let server: RunningGrpcServer;
const MAX = 64 * 1024;

beforeAll(async () => {
  server = await startGrpcServer(impl, { host: '127.0.0.1', port: 0, maxMessageBytes: MAX });
});
afterAll(() => server.stop(100));

/** A raw gRPC call with a gzip-flagged body; resolves grpc-status and grpc-message. */
function call(body: Buffer): Promise<{ code: number; message: string }> {
  const session = connect(`http://127.0.0.1:${server.port}`);
  return new Promise((resolve) => {
    const head = Buffer.alloc(5);
    head[0] = 1;
    head.writeUInt32BE(body.length, 1);
    const s = session.request({ ':method': 'POST', ':path': EXPORT_METHOD_PATH, 'content-type': 'application/grpc', te: 'trailers', 'grpc-encoding': 'gzip' });
    let out = { code: -1, message: '' };
    const st = (h: Record<string, unknown>): void => {
      if (h['grpc-status'] !== undefined) out = { code: Number(h['grpc-status']), message: decodeURIComponent(String(h['grpc-message'] ?? '')) };
    };
    s.on('response', st);
    s.on('trailers', st);
    s.on('data', () => {});
    s.on('close', () => {
      session.close();
      resolve(out);
    });
    s.end(Buffer.concat([head, body]));
  });
}

describe('one-shot inflate', () => {
  it('decodes a gzipped message, refuses one that inflates past the limit and one that is not gzip', async () => {
    expect(installOneShotInflate()).toBe(true); // installed by startGrpcServer for this grpc-js
    const req = ExportRequest.fromPartial({ agentId: 'a', batchSeq: 1, gpuSamples: [{ index: 0 }, { index: 1 }] });
    expect(await call(gzipSync(ExportRequest.encode(req).finish()))).toEqual({ code: 0, message: 'OK' });
    expect(received.map((r) => [r.agentId, r.gpuSamples.length])).toEqual([['a', 2]]);
    // 64 KiB + 1 of zeros: ~100 bytes compressed, well under ONE_SHOT_MAX_BYTES
    const bomb = gzipSync(Buffer.alloc(MAX + 1));
    expect(bomb.length).toBeLessThan(ONE_SHOT_MAX_BYTES);
    expect(await call(bomb)).toEqual({ code: 8, message: `Received message that decompresses to a size larger than ${MAX}` });
    expect(await call(Buffer.from('definitely not gzip'))).toEqual({ code: 13, message: 'Failed to decompress message' });
    expect(received.length).toBe(1);
  });
});
