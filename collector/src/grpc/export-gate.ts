// The gate in front of every gRPC call: the agent's token is checked from the call's metadata
// before grpc-js reads, decompresses or decodes a byte of the message (grpc-js keeps the HTTP/2
// stream paused until the handler asks for the message, and a refused call never asks), so an
// unauthenticated client costs a header lookup, whatever it sends. Authenticated calls are then
// admitted against a per-connection and a global budget of message bytes in flight (received and
// not yet answered); over either, the call is refused with RESOURCE_EXHAUSTED and a retry hint.
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { wireBytes } from './server.js';
import type { TenantResolver } from './telemetry-service.js';
import { toGrpcStatus } from './to-grpc-status.js';

/** Why a call was refused by the gate (a bounded /metrics label). */
export type GateRefusal = 'unauthenticated' | 'connection_bytes' | 'global_bytes';

export interface ExportGateOptions {
  resolveTenant: TenantResolver;
  /** Most message bytes one connection may have in flight. */
  maxConnectionBytes: number;
  /** Most message bytes all connections together may have in flight. */
  maxGlobalBytes: number;
  /** Retry hint sent with a bytes-in-flight refusal, seconds. */
  retryAfterS: number;
  onRefused?: (reason: GateRefusal) => void;
  /** Each reason is logged at most once a minute (with the first refusal's detail), never per call. */
  log?: Logger;
  now?: () => number;
}

export interface ExportGate {
  readonly interceptor: ServerInterceptor;
  /** Message bytes in flight now (all connections). */
  readonly bytesInFlight: number;
  /** Connections with bytes in flight now. */
  readonly connections: number;
}

type GateStatus = Pick<StatusObject, 'code' | 'details'> & Partial<Pick<StatusObject, 'metadata'>>;

function overloaded(what: string, retryAfterS: number): GateStatus {
  const md = new Metadata();
  md.set('x-renderwatch-error-code', 'COL_ERR_INGEST_OVERLOADED');
  md.set('retry-after-s', String(retryAfterS));
  return { code: status.RESOURCE_EXHAUSTED, details: `${what}; retry later`, metadata: md };
}

export function createExportGate(o: ExportGateOptions): ExportGate {
  const perConnection = new Map<string, number>();
  let global = 0;
  const log = o.log?.child({ module: 'grpc.gate' });
  const now = o.now ?? Date.now;
  const lastLogged = new Map<GateRefusal, number>();
  const refused = (reason: GateRefusal, detail: string): void => {
    o.onRefused?.(reason);
    const t = now();
    const prev = lastLogged.get(reason);
    if (log === undefined || (prev !== undefined && t - prev < 60_000)) return;
    lastLogged.set(reason, t);
    log.warn({ reason, detail }, 'gRPC call refused before its message was read (logged once a minute per reason)');
  };

  const interceptor: ServerInterceptor = (_method, next) => {
    const conn = next.getPeer();
    // Sizes of this call's messages not answered yet, oldest first: each answer (an ack on a
    // stream, the response of a unary call) releases the oldest; the status releases the rest.
    const held: number[] = [];
    const free = (bytes: number): void => {
      global -= bytes;
      const left = (perConnection.get(conn) ?? bytes) - bytes;
      if (left <= 0) perConnection.delete(conn);
      else perConnection.set(conn, left);
    };
    const release = (): void => {
      for (const b of held.splice(0)) free(b);
    };
    const call: ServerInterceptingCall = new ServerInterceptingCall(next, {
      start(startNext) {
        startNext({
          onReceiveMetadata(md, mdNext) {
            try {
              o.resolveTenant(md);
            } catch (err: unknown) {
              const st = toGrpcStatus(err);
              refused('unauthenticated', st.details ?? 'unauthenticated');
              call.sendStatus({ code: st.code ?? status.UNAUTHENTICATED, details: st.details ?? 'unauthenticated', metadata: st.metadata ?? null });
              return; // the message is never read
            }
            if ((perConnection.get(conn) ?? 0) >= o.maxConnectionBytes) {
              refused('connection_bytes', `this connection has ${o.maxConnectionBytes} bytes in flight`);
              call.sendStatus(overloaded(`this connection has ${o.maxConnectionBytes} bytes in flight`, o.retryAfterS));
              return;
            }
            if (global >= o.maxGlobalBytes) {
              refused('global_bytes', `the collector has ${o.maxGlobalBytes} bytes in flight`);
              call.sendStatus(overloaded(`the collector has ${o.maxGlobalBytes} bytes in flight`, o.retryAfterS));
              return;
            }
            mdNext(md);
          },
          onReceiveMessage(msg, msgNext) {
            const bytes = wireBytes(msg);
            const c = perConnection.get(conn) ?? 0;
            if (c + bytes > o.maxConnectionBytes && c > 0) {
              refused('connection_bytes', `this connection would have over ${o.maxConnectionBytes} bytes in flight`);
              call.sendStatus(overloaded(`this connection would have over ${o.maxConnectionBytes} bytes in flight`, o.retryAfterS));
              return;
            }
            if (global + bytes > o.maxGlobalBytes && global > 0) {
              refused('global_bytes', `the collector would have over ${o.maxGlobalBytes} bytes in flight`);
              call.sendStatus(overloaded(`the collector would have over ${o.maxGlobalBytes} bytes in flight`, o.retryAfterS));
              return;
            }
            held.push(bytes);
            global += bytes;
            perConnection.set(conn, c + bytes);
            msgNext(msg);
          },
          onCancel: release,
        });
      },
      sendMessage(msg, msgNext) {
        const b = held.shift();
        if (b !== undefined) free(b);
        msgNext(msg);
      },
      sendStatus(st, stNext) {
        release();
        stNext(st);
      },
    });
    return call;
  };

  return {
    interceptor,
    get bytesInFlight() {
      return global;
    },
    get connections() {
      return perConnection.size;
    },
  };
}
