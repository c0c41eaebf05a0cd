import { readFileSync } from 'node:fs';
import { constants as h2, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as NetServer, Socket } from 'node:net';
import { Server, ServerCredentials, type ServerInterceptor } from '@grpc/grpc-js';
import { ExportRequest, TelemetryServiceService, type TelemetryServiceServer } from '@renderwatch/proto';
import { AppError } from '../errors.js';
import { installOneShotInflate } from './one-shot-inflate.js';

export interface GrpcServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  credentials?: ServerCredentials;
  /** Runs before any message is read (grpc/export-gate.ts: token check, bytes in flight). */
  interceptors?: ServerInterceptor[];
  /** Called with the size of every message decoded (collector /metrics). */
  onDecoded?: (bytes: number) => void;
  /** A connection closed because its client sent no HTTP/2 preface and SETTINGS in time (PREFACE_TIMEOUT_MS). */
  onPrefaceTimeout?: () => void;
  /** A connection closed because its streams were reset faster than MAX_RESETS_PER_WINDOW allows. */
  onRapidReset?: () => void;
}

/**
 * Streams of one connection that may end in a reset (the client's RST_STREAM, or one the server
 * sent) within RESET_WINDOW_MS; one more and the connection gets GOAWAY (ENHANCE_YOUR_CALM) and is
 * closed. The "rapid reset" attack (CVE-2023-44487) opens and cancels streams as fast as it can:
 * each costs grpc-js a call, metadata and the token check, and node's own limit (nghttp2's) only
 * ended such a connection after ~6,000-8,000 streams. An agent resets a stream when an ack misses its
 * deadline: a few a minute at worst.
 */
export const MAX_RESETS_PER_WINDOW = 100;
export const RESET_WINDOW_MS = 10_000;

/** Counts a session's reset streams; closes it past the limit. */
function limitResets(session: Http2Session, onClose: (() => void) | undefined): void {
  let windowStart = 0;
  let resets = 0;
  session.on('stream', (stream: ServerHttp2Stream) => {
    stream.once('close', () => {
      if (stream.rstCode === h2.NGHTTP2_NO_ERROR || session.destroyed) return;
      const t = Date.now();
      if (t - windowStart > RESET_WINDOW_MS) {
        windowStart = t;
        resets = 0;
      }
      if (++resets <= MAX_RESETS_PER_WINDOW) return;
      onClose?.();
      session.goaway(h2.NGHTTP2_ENHANCE_YOUR_CALM);
      session.destroy();
    });
  });
}

/**
 * A connection whose client has not sent the HTTP/2 preface and its SETTINGS this long after it
 * connected is closed. grpc-js sets no timeout on its sockets and its idle timeout does not close a
 * session that never started, so a client that connects and sends nothing (slowloris) held a socket
 * and a file descriptor for ever.
 */
export const PREFACE_TIMEOUT_MS = 10_000;

const peer = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${s.remoteAddress ?? ''}:${s.remotePort ?? 0}`;

/** Closes connections that do not start within PREFACE_TIMEOUT_MS or reset too many streams; false where grpc-js does not expose its HTTP/2 servers. */
function closeSilentConnections(server: Server, onTimeout: (() => void) | undefined, onRapidReset: (() => void) | undefined): boolean {
  // grpc-js keeps its HTTP/2 servers in a private map (1.14); there is no public hook for connections.
  const servers: unknown = Reflect.get(server, 'http2Servers');
  if (!(servers instanceof Map)) return false;
  for (const h2s of servers.keys() as IterableIterator<NetServer & { on(ev: 'session', f: (s: Http2Session) => void): void }>) {
    // The socket itself: a session's socket is a proxy that cannot be destroyed, and neither
    // destroying nor closing a session that never started closes its socket. A session is matched to
    // its socket by peer address and port.
    const waiting = new Map<string, { socket: Socket; timer: NodeJS.Timeout }>();
    h2s.on('connection', (socket: Socket) => {
      const key = peer(socket);
      const timer = setTimeout(() => {
        waiting.delete(key);
        onTimeout?.();
        // Not destroy(): with HTTP/2 holding the handle it leaves the descriptor open (node 20); a reset closes it.
        socket.resetAndDestroy();
      }, PREFACE_TIMEOUT_MS);
      timer.unref();
      waiting.set(key, { socket, timer });
      socket.once('close', () => {
        clearTimeout(timer);
        if (waiting.get(key)?.socket === socket) waiting.delete(key);
      });
    });
    h2s.on('session', (session) => {
      limitResets(session, onRapidReset);
      session.once('remoteSettings', () => {
        const key = peer(session.socket);
        const w = waiting.get(key);
        if (w === undefined) return;
        clearTimeout(w.timer);
        waiting.delete(key);
      });
    });
  }
  return true;
}

export interface RunningGrpcServer {
  readonly port: number;
  /**
   * Refuses new calls, ends the open ExportStreams (their received batches acked first, then a
   * retryable status: see `endStreamsAtStop`), waits for the calls left and after `graceMs` cuts
   * what is still open. `forced`: the grace ran out.
   */
  stop(graceMs?: number): Promise<{ forced: boolean }>;
}

const STREAM_ENDERS = new WeakMap<object, () => Promise<void>>();

/**
 * Registers what ends a service's open long-lived calls when the server stops (the telemetry
 * service's ExportStreams): without it a graceful stop would wait out its whole grace for streams
 * that only the agent ends.
 */
export function endStreamsAtStop(impl: object, end: () => Promise<void>): void {
  STREAM_ENDERS.set(impl, end);
}

/** Set on a request whose bytes were not a valid ExportRequest; the handler answers INVALID_ARGUMENT. */
export const MALFORMED = Symbol('renderwatch.malformed');

const WIRE_BYTES = Symbol('renderwatch.wireBytes');

/** Decodes an ExportRequest without throwing (grpc-js would answer INTERNAL for a throw). */
export function decodeExportRequest(buf: Buffer): ExportRequest {
  let req: ExportRequest;
  try {
    req = ExportRequest.decode(buf);
  } catch (err: unknown) {
    req = ExportRequest.fromPartial({});
    Object.defineProperty(req, MALFORMED, { value: err instanceof Error ? err.message : String(err), enumerable: false });
  }
  Object.defineProperty(req, WIRE_BYTES, { value: buf.length, enumerable: false });
  return req;
}

/** The decoded size of a message read by this server (0 when unknown). */
export function wireBytes(msg: unknown): number {
  const v: unknown = typeof msg === 'object' && msg !== null ? Object.getOwnPropertyDescriptor(msg, WIRE_BYTES)?.value : undefined;
  return typeof v === 'number' ? v : 0;
}

/** The decode error of a malformed request, if it was one. */
export function malformedReason(req: ExportRequest): string | undefined {
  const v: unknown = Object.getOwnPropertyDescriptor(req, MALFORMED)?.value;
  return typeof v === 'string' ? v : undefined;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** When set, clients must present a certificate signed by this CA (mTLS). */
  clientCaFile?: string;
}

function read(f: string, key: string): Buffer {
  try {
    return readFileSync(f);
  } catch (err: unknown) {
    throw new AppError('COL_ERR_CONFIG_INVALID', `${key} ${f} cannot be read`, { cause: err });
  }
}

/** TLS server credentials from PEM files; COL_ERR_CONFIG_INVALID names the file that failed. */
export function serverCredentialsFromFiles(t: TlsFiles): ServerCredentials {
  const cert = read(t.certFile, 'COLLECTOR_TLS_CERT_FILE');
  const key = read(t.keyFile, 'COLLECTOR_TLS_KEY_FILE');
  const ca = t.clientCaFile === undefined ? null : read(t.clientCaFile, 'COLLECTOR_TLS_CLIENT_CA_FILE');
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

/** Binds the telemetry service; resolves with the bound port (port 0 picks a free one). */
export async function startGrpcServer(impl: TelemetryServiceServer, o: GrpcServerOptions): Promise<RunningGrpcServer> {
  installOneShotInflate();
  const server = new Server({
    'grpc.max_receive_message_length': o.maxMessageBytes,
    'grpc.max_concurrent_streams': 1000,
    'grpc.keepalive_permit_without_calls': 1,
    ...(o.interceptors === undefined ? {} : { interceptors: o.interceptors }),
  });
  const onDecoded = o.onDecoded;
  const deserialize =
    onDecoded === undefined
      ? decodeExportRequest
      : (buf: Buffer): ExportRequest => {
          onDecoded(buf.length);
          return decodeExportRequest(buf);
        };
  const definition = {
    ...TelemetryServiceService,
    export: { ...TelemetryServiceService.export, requestDeserialize: deserialize },
    exportStream: { ...TelemetryServiceService.exportStream, requestDeserialize: deserialize },
  };
  server.addService(definition, impl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${o.host}:${o.port}`, o.credentials ?? ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(err);
      else resolve(p);
    });
  });
  closeSilentConnections(server, o.onPrefaceTimeout, o.onRapidReset);
  return {
    port,
    stop(graceMs = 5000) {
      return new Promise<{ forced: boolean }>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve({ forced: true });
        }, graceMs);
        // New calls are refused first (GOAWAY), so an agent told to go away cannot open its next stream here.
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve({ forced: false });
        });
        void STREAM_ENDERS.get(impl)?.();
      });
    },
  };
}
