// Raw HTTP/2 and gRPC framing for the black-box probe of the collector's gRPC ingest
// (probe-grpc.e2e.test.ts): calls built byte by byte (length prefixes that lie, compressed flags,
// any header), raw frames on a bare socket (floods, rapid reset, no preface), and a /healthz poller
// on its own thread, so that the probe's own busy loops do not count as the collector's latency.
// Side-effect free at import (docs/style.md "7. Tests").
import http2 from 'node:http2';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { ExportRequest, ExportResponse } from '@renderwatch/proto';

export const EXPORT = '/renderwatch.telemetry.v1.TelemetryService/Export';
export const STREAM = '/renderwatch.telemetry.v1.TelemetryService/ExportStream';

/** A gRPC message: compressed flag, 4-byte big-endian length (or `lengthSays`), the bytes. */
export function frame(body: Buffer, o: { compressed?: boolean; lengthSays?: number } = {}): Buffer {
  const h = Buffer.alloc(5);
  h[0] = o.compressed === true ? 1 : 0;
  h.writeUInt32BE(o.lengthSays ?? body.length, 1);
  return Buffer.concat([h, body]);
}

export interface RawAnswer {
  grpcStatus?: number;
  grpcMessage: string;
  /** The ExportResponses received, in order. */
  acks: ExportResponse[];
  /** An HTTP/2 stream error instead of a gRPC status (e.g. NGHTTP2_REFUSED_STREAM), or TIMEOUT. */
  error?: string;
}

/** Splits length-prefixed response messages. */
export function decodeAcks(data: Buffer): ExportResponse[] {
  const out: ExportResponse[] = [];
  for (let at = 0; at + 5 <= data.length;) {
    const len = data.readUInt32BE(at + 1);
    out.push(ExportResponse.decode(data.subarray(at + 5, at + 5 + len)));
    at += 5 + len;
  }
  return out;
}

export interface CallOptions {
  path?: string;
  headers?: Record<string, string>;
  chunks: Buffer[];
  /** Half-close after the chunks (default true). */
  end?: boolean;
  timeoutMs?: number;
  /** A session to open the stream on (default: a new connection, closed after the call). */
  session?: http2.ClientHttp2Session;
}

/** One gRPC call written byte by byte; resolves with its status, acks, or stream error. */
export function rawCall(port: number, o: CallOptions): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const s = o.session ?? http2.connect(`http://127.0.0.1:${port}`);
    s.on('error', () => {});
    const req = s.request({ ':method': 'POST', ':path': o.path ?? EXPORT, 'content-type': 'application/grpc', te: 'trailers', ...o.headers });
    const a: RawAnswer = { grpcMessage: '', acks: [] };
    const parts: Buffer[] = [];
    let done = false;
    const finish = (err?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      a.acks = decodeAcks(Buffer.concat(parts));
      if (err !== undefined && a.grpcStatus === undefined) a.error = err;
      if (o.session === undefined) s.close();
      resolve(a);
    };
    const timer = setTimeout(() => {
      finish('TIMEOUT');
      req.close(http2.constants.NGHTTP2_CANCEL);
    }, o.timeoutMs ?? 15_000);
    const status = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] === undefined) return;
      a.grpcStatus = Number(h['grpc-status']);
      a.grpcMessage = decodeURIComponent(String(h['grpc-message'] ?? ''));
    };
    req.on('response', status);
    req.on('trailers', status);
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => finish());
    req.on('close', () => finish(`closed, HTTP/2 code ${req.rstCode}`));
    req.on('error', (e: Error) => finish(e.message));
    for (const c of o.chunks) req.write(c);
    if (o.end !== false) req.end();
  });
}

// Raw HTTP/2 frames on a bare socket.
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export function h2frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, payload]);
}
export const SETTINGS = (): Buffer => h2frame(4, 0, 0, Buffer.alloc(0));
export const PING = (): Buffer => h2frame(6, 0, 0, Buffer.alloc(8));
/** HEADERS (END_HEADERS) of a POST to `/` from HPACK's static table, then RST_STREAM(CANCEL): one rapid-reset pair. */
export const RESET_PAIR = (streamId: number): Buffer =>
  Buffer.concat([h2frame(1, 4, streamId, Buffer.from([0x83, 0x86, 0x84])), h2frame(3, 0, streamId, Buffer.from([0, 0, 0, 8]))]);

/** Connects, sends the preface and SETTINGS, then `body` (what comes back is read and dropped); resolves when the collector closes it or after `waitMs`. */
export function rawFlood(port: number, body: Buffer, waitMs: number): Promise<{ closedByCollector: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(Buffer.concat([PREFACE, SETTINGS()]));
      s.write(body);
    });
    s.on('data', () => {});
    s.on('error', () => {});
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ closedByCollector: false });
    }, waitMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closedByCollector: true });
    });
  });
}

export interface HealthPoller {
  /** Answers since the last call: count, not 200 (or no answer), worst latency in ms. */
  take(): Promise<{ n: number; bad: number; worstMs: number }>;
  stop(): Promise<void>;
}

/** Polls /healthz every 20 ms from a worker thread (its own event loop). */
export function startHealthPoller(httpPort: number): HealthPoller {
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let n = 0, bad = 0, worstMs = 0;
     parentPort.on('message', () => { parentPort.postMessage({ n, bad, worstMs }); n = 0; bad = 0; worstMs = 0; });
     (async () => { for (;;) {
       const t = Date.now();
       try { const r = await fetch('http://127.0.0.1:' + workerData + '/healthz', { signal: AbortSignal.timeout(10000) }); await r.text(); if (r.status !== 200) bad++; }
       catch { bad++; }
       worstMs = Math.max(worstMs, Date.now() - t); n++;
       await new Promise((r) => setTimeout(r, 20));
     } })();`,
    { eval: true, workerData: httpPort },
  );
  return {
    take: () =>
      new Promise((resolve) => {
        w.once('message', resolve);
        w.postMessage('take', []); // a worker: the second argument is a transfer list, not an origin
      }),
    stop: async () => void (await w.terminate()),
  };
}

/** An encoded ExportRequest of one GPU sample (distinct `tsMs` per batch: rows of the same GPU and ms are one row). */
export function batch(agentId: string, seq: number, tsMs: number, extra: Partial<ExportRequest> = {}): Buffer {
  return Buffer.from(
    ExportRequest.encode(
      ExportRequest.fromPartial({
        agentId,
        batchSeq: seq,
        host: { hostname: `${agentId}-host` },
        gpuSamples: [{ tsUnixMs: tsMs, index: 0, uuid: `GPU-${agentId}`, name: 'NVIDIA L4', temperatureCelsius: 50 }],
        ...extra,
      }),
    ).finish(),
  );
}
