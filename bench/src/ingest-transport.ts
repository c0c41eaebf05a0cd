// The wire side of the ingest benchmark's replay agents: pre-encoded gRPC frames sent as unary
// Export calls (`window` at a time per agent) or on one ExportStream per agent, over raw HTTP/2
// sessions, so nearly all the CPU measured goes to the collector and ClickHouse.
import { connect, type ClientHttp2Session } from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EXPORT_METHOD_PATH, ExportRequest, ExportResponse, TelemetryServiceService } from '@renderwatch/proto';

/** HTTP/2 connections the replay agents share. */
export const CHANNELS = 50;

/** One Export call over HTTP/2 with a pre-encoded gRPC message; resolves the gRPC status and the response. */
function replayCall(session: ClientHttp2Session, frame: Buffer): Promise<{ code: number; retryAfterS?: number; duplicate?: boolean }> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': EXPORT_METHOD_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-encoding': ENCODING,
      'grpc-accept-encoding': 'identity',
    });
    const chunks: Buffer[] = [];
    let code = -1;
    let retryAfterS: number | undefined;
    const status = (h: Record<string, unknown>): void => {
      if (h['grpc-status'] !== undefined) code = Number(h['grpc-status']);
      if (h['retry-after-s'] !== undefined) retryAfterS = Number(h['retry-after-s']);
    };
    stream.on('response', status);
    stream.on('trailers', status);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {
      code = 14;
    });
    stream.on('close', () => {
      if (code !== 0) {
        resolve({ code: code === -1 ? 14 : code, ...(retryAfterS === undefined ? {} : { retryAfterS }) });
        return;
      }
      const body = Buffer.concat(chunks);
      const msg = body[0] === 1 ? gunzipSync(body.subarray(5)) : body.subarray(5);
      resolve({ code, duplicate: ExportResponse.decode(msg).duplicate });
    });
    stream.end(frame);
  });
}

/**
 * How the replay agents encode their messages: gzip, as the agent's export client sends them, or
 * `BENCH_INGEST_ENCODING=identity` (uncompressed, to see what per-message inflate costs the collector).
 */
export const ENCODING = process.env['BENCH_INGEST_ENCODING'] === 'identity' ? 'identity' : 'gzip';

/** gRPC length-prefixed message, encoded as ENCODING says. */
export function grpcFrame(req: ExportRequest): Buffer {
  const raw = Buffer.from(ExportRequest.encode(req).finish());
  const body = ENCODING === 'gzip' ? gzipSync(raw) : raw;
  const head = Buffer.alloc(5);
  head[0] = ENCODING === 'gzip' ? 1 : 0;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Replay agents: each sends its frames in order, `window` at a time, and resends what was refused. */
export async function replayAgents(port: number, frames: readonly Buffer[][], window: number): Promise<{ retries: number; duplicates: number }> {
  const sessions = Array.from({ length: CHANNELS }, () => connect(`http://127.0.0.1:${port}`));
  let retries = 0;
  let duplicates = 0;
  await Promise.all(
    frames.map(async (list, a) => {
      const session = sessions[a % CHANNELS];
      if (session === undefined) throw new Error('no session');
      let next = 0;
      while (next < list.length) {
        const batch = list.slice(next, next + window);
        const results = await Promise.all(batch.map((f) => replayCall(session, f)));
        const firstFailed = results.findIndex((r) => r.code !== 0);
        for (const r of results) duplicates += r.duplicate === true ? 1 : 0;
        if (firstFailed === -1) {
          next += batch.length;
          continue;
        }
        retries++;
        next += firstFailed; // later ones that succeeded are resent too; the collector answers them as duplicates
        await new Promise((r) => setTimeout(r, Math.max(250, (results[firstFailed]?.retryAfterS ?? 0) * 1000)));
      }
    }),
  );
  for (const s of sessions) s.close();
  return { retries, duplicates };
}

/** Unacknowledged batches one ExportStream keeps open (the collector's STREAM_MAX_PENDING). */
const STREAM_UNACKED = 16;

/** One ExportStream carrying `frames` from index `from`: resolves how many were acked and the final status. */
function streamCall(
  session: ClientHttp2Session,
  frames: readonly Buffer[],
  from: number,
): Promise<{ acked: number; code: number; retryAfterS?: number; duplicates: number }> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': TelemetryServiceService.exportStream.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-encoding': ENCODING,
      'grpc-accept-encoding': 'identity',
    });
    let next = from;
    let acked = 0;
    let duplicates = 0;
    let code = -1;
    let retryAfterS: number | undefined;
    let buf: Buffer = Buffer.alloc(0);
    const fill = (): void => {
      while (next < frames.length && next - from - acked < STREAM_UNACKED) stream.write(frames[next++]);
      if (next === frames.length && acked === frames.length - from) stream.end();
    };
    const status = (h: Record<string, unknown>): void => {
      if (h['grpc-status'] !== undefined) code = Number(h['grpc-status']);
      if (h['retry-after-s'] !== undefined) retryAfterS = Number(h['retry-after-s']);
    };
    stream.on('response', status);
    stream.on('trailers', status);
    stream.on('data', (c: Buffer) => {
      buf = buf.length === 0 ? c : Buffer.concat([buf, c]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        const len = buf.readUInt32BE(1);
        const msg = buf[0] === 1 ? gunzipSync(buf.subarray(5, 5 + len)) : buf.subarray(5, 5 + len);
        duplicates += ExportResponse.decode(msg).duplicate ? 1 : 0;
        buf = buf.subarray(5 + len);
        acked++;
      }
      fill();
    });
    stream.on('error', () => {
      code = 14;
    });
    stream.on('close', () => resolve({ acked, code: code === -1 ? 14 : code, duplicates, ...(retryAfterS === undefined ? {} : { retryAfterS }) }));
    fill();
  });
}

/** Stream agents: one ExportStream per agent; on a refusal, a new stream resumes after the last ack. */
export async function streamAgents(port: number, frames: readonly Buffer[][]): Promise<{ retries: number; duplicates: number }> {
  const sessions = Array.from({ length: CHANNELS }, () => connect(`http://127.0.0.1:${port}`));
  let retries = 0;
  let duplicates = 0;
  await Promise.all(
    frames.map(async (list, a) => {
      const session = sessions[a % CHANNELS];
      if (session === undefined) throw new Error('no session');
      let done = 0;
      while (done < list.length) {
        const r = await streamCall(session, list, done);
        done += r.acked;
        duplicates += r.duplicates;
        if (done < list.length) {
          retries++;
          await new Promise((res) => setTimeout(res, Math.max(250, (r.retryAfterS ?? 0) * 1000)));
        }
      }
    }),
  );
  for (const s of sessions) s.close();
  return { retries, duplicates };
}
