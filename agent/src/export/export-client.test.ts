import { once } from 'node:events';
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ExportRequest } from '@renderwatch/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { createExportClient } from './export-client.js';

interface Seen {
  encoding: string | undefined;
  authorization: string | undefined;
  /** The gRPC message prefix: compressed flag (0/1). */
  compressedFlag: number | undefined;
}

/** A bare HTTP/2 server that records what a gRPC client put on the wire, then answers OK. */
async function wireRecorder(): Promise<{ server: Http2Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ encoding: headers['grpc-encoding'] as string | undefined, authorization: headers.authorization, compressedFlag: body[0] });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // An empty ExportResponse message: flag 0, length 0.
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const req: ExportRequest = {
  agentId: 'agent-1',
  batchSeq: 1,
  host: undefined,
  hostSamples: [],
  events: [],
  gpuStatus: [],
  gpuSamples: Array.from({ length: 50 }, (_, i) => ({
    tsUnixMs: 1_700_000_000_000 + i,
    index: 0,
    uuid: 'GPU-1',
    name: 'L40S',
    pciBusId: '',
    migEnabled: false,
    processes: [],
  })),
};

let open: Http2Server | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

describe('createExportClient', () => {
  it.each([
    [true, 'gzip', 1],
    [false, undefined, 0],
  ])('with compress=%s sends grpc-encoding %s and the compressed flag %i, with the bearer token', async (compress, encoding, flag) => {
    const w = await wireRecorder();
    open = w.server;
    const client = createExportClient({ address: `127.0.0.1:${w.port}`, token: 'tok', compress });
    const r = await client.send(req, 3000);
    client.close();
    expect(r.status).toBe('ok');
    expect(w.seen).toEqual([{ encoding, authorization: 'Bearer tok', compressedFlag: flag }]);
  });
});
