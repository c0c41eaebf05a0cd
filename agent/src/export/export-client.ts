// One Export call with a deadline; the outcome is a value (docs/style.md "4. Errors", OTel export-response).
import { readFileSync } from 'node:fs';
import { credentials as grpcCredentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { ExportRequest, ExportResponse, TelemetryServiceClient, TelemetryServiceService } from '@renderwatch/proto';
import { createExportStream } from './export-stream.js';
import type { SendResult } from './send-result.js';
import { NumberInt64Writer } from './wire-writer.js';

export interface ExportClientOptions {
  /** host:port of the collector's gRPC endpoint. */
  address: string;
  /** Agent token, sent as `authorization: Bearer <token>`. */
  token?: string;
  credentials?: ChannelCredentials;
  /** gzip request bodies (default true). */
  compress?: boolean;
  /** Extra grpc-js channel options, e.g. a round_robin service config over several collectors. */
  channelOptions?: Record<string, string | number>;
  /**
   * Send batches as messages on one long-lived ExportStream (export-stream.ts) instead of one
   * Export call each (default false). A collector that answers UNIMPLEMENTED gets Export calls for
   * the next `streamRetryMs` (default one hour), then the stream is tried again.
   */
  stream?: boolean;
  streamRetryMs?: number;
  /** The collector does not speak ExportStream: Export calls from now on (for `streamRetryMs`). */
  onStreamUnimplemented?: () => void;
  now?: () => number;
}

export interface ExportClient {
  send(req: ExportRequest, deadlineMs: number): Promise<SendResult>;
  /** The same call with the request already encoded (a spooled batch is sent as the bytes on disk). */
  sendEncoded?(req: Uint8Array, deadlineMs: number): Promise<SendResult>;
  close(): void;
}

const RETRYABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
  status.INTERNAL,
  status.UNKNOWN,
  status.CANCELLED,
]);

/** Classifies a gRPC error: transient → retryable (with the collector's retry hint), else failed. */
export function classify(err: ServiceError): SendResult {
  const hint = err.metadata?.get('retry-after-s')[0];
  const retryInMs = hint === undefined ? undefined : Number(hint) * 1000;
  // A request this client could not even serialize will never succeed: not retryable.
  if (err.code === status.INTERNAL && /serialization failure/i.test(err.details)) return { status: 'failed', error: err };
  if (RETRYABLE.has(err.code)) return { status: 'retryable', error: err, ...(retryInMs !== undefined && Number.isFinite(retryInMs) ? { retryInMs } : {}) };
  return { status: 'failed', error: err };
}

export interface ClientTlsFiles {
  /** PEM CA bundle that signed the collector's certificate (empty: the system roots). */
  caFile?: string;
  /** PEM client certificate and key, for collectors that require mTLS. */
  certFile?: string;
  keyFile?: string;
}

const readPem = (f: string | undefined): Buffer | null => (f === undefined || f === '' ? null : readFileSync(f));

/** TLS channel credentials from PEM files (throws when a named file cannot be read). */
export function clientCredentialsFromFiles(t: ClientTlsFiles): ChannelCredentials {
  return grpcCredentials.createSsl(readPem(t.caFile), readPem(t.keyFile), readPem(t.certFile));
}

/** Resolves a call's outcome as a value. */
const done =
  (resolve: (r: SendResult) => void) =>
  (err: ServiceError | null, res?: ExportResponse): void => {
    if (err) resolve(classify(err));
    else resolve({ status: 'ok', response: res ?? ExportResponse.fromPartial({}) });
  };

export function createExportClient(o: ExportClientOptions): ExportClient {
  const client = new TelemetryServiceClient(o.address, o.credentials ?? grpcCredentials.createInsecure(), {
    'grpc.default_compression_algorithm': o.compress === false ? 0 : 2,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
    // Reconnect within seconds once a collector is back (grpc-js would back off up to 120 s).
    'grpc.initial_reconnect_backoff_ms': 500,
    'grpc.max_reconnect_backoff_ms': 5000,
    ...o.channelOptions,
  });
  const metadata = (): Metadata => {
    const md = new Metadata();
    if (o.token !== undefined) md.set('authorization', `Bearer ${o.token}`);
    return md;
  };
  const rpc = TelemetryServiceService.export;
  const unaryEncoded = (req: Uint8Array, deadlineMs: number): Promise<SendResult> =>
    new Promise<SendResult>((resolve) => {
      client.makeUnaryRequest(
        rpc.path,
        (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        rpc.responseDeserialize,
        req,
        metadata(),
        { deadline: Date.now() + deadlineMs },
        done(resolve),
      );
    });
  const now = o.now ?? Date.now;
  const stream = o.stream === true ? createExportStream({ client, metadata, classify }) : undefined;
  /** After an UNIMPLEMENTED answer to the stream: Export calls only, until then. */
  let unaryUntil = 0;
  async function sendEncoded(req: Uint8Array, deadlineMs: number): Promise<SendResult> {
    if (stream !== undefined && now() >= unaryUntil) {
      const r = await stream.send(req, deadlineMs);
      if (r.status !== 'unimplemented') return r;
      if (now() >= unaryUntil) {
        unaryUntil = now() + (o.streamRetryMs ?? 3_600_000);
        o.onStreamUnimplemented?.();
      }
    }
    return unaryEncoded(req, deadlineMs);
  }
  return {
    send(req, deadlineMs) {
      if (stream !== undefined) return sendEncoded(ExportRequest.encode(req, new NumberInt64Writer()).finish(), deadlineMs);
      return new Promise<SendResult>((resolve) => {
        client.export(req, metadata(), { deadline: Date.now() + deadlineMs }, done(resolve));
      });
    },
    sendEncoded,
    close() {
      stream?.close();
      client.close();
    },
  };
}
