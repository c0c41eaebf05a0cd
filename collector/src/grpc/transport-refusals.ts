// The statuses grpc-js sends by itself, below the service and the gate: a message over the size
// limit (before or after inflating), one that does not inflate, an unsupported grpc-encoding, a call
// that ends without a whole message (a length prefix that promised more) or a unary call with two, a
// grpc-timeout that is not one, a deadline that passed. grpc-js answers these from its base call
// without going through the interceptors' status path, with texts that name its internals ("server
// streaming method", for a unary call) and for two of them UNIMPLEMENTED (the agent's ExportStream
// takes that as "collector too old"); an ExportStream half-closed inside a message it ended OK. This
// interceptor, installed first, sees the base call's every status: it gives those a code and a
// message that say what to do, counts each by a bounded reason and logs each reason at most once a
// minute. OK, the statuses of the service and the gate (they carry x-renderwatch-error-code) and any
// other status go through untouched.
import { status, type ServerInterceptingCall, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { onceEvery } from './once-every.js';

/** Why grpc-js refused a call (a bounded /metrics label). */
export type TransportRefusal =
  | 'too_large'
  | 'inflated_too_large'
  | 'bad_compression'
  | 'unsupported_encoding'
  | 'incomplete_message'
  | 'extra_message'
  | 'bad_timeout'
  | 'deadline';

type Status = Pick<StatusObject, 'code' | 'details'> & Partial<Pick<StatusObject, 'metadata'>>;

export interface TransportRefusalOptions {
  /** COLLECTOR_MAX_MESSAGE_BYTES, for the messages. */
  maxMessageBytes: number;
  onRefused?: (reason: TransportRefusal) => void;
  log?: Logger;
  now?: () => number;
}

/** The reason, code and message for a status grpc-js sent itself. */
export function explainTransportStatus(st: Status, maxMessageBytes: number): { reason: TransportRefusal; code: number; details: string } | undefined {
  const d = st.details ?? '';
  const limit = `${maxMessageBytes} bytes (COLLECTOR_MAX_MESSAGE_BYTES)`;
  const tooLarge = /^Received message larger than max \((\d+) vs/.exec(d);
  if (tooLarge !== null)
    return { reason: 'too_large', code: status.RESOURCE_EXHAUSTED, details: `the message is ${tooLarge[1]} bytes, over ${limit}; send smaller batches` };
  if (/decompresses to a size larger than/.test(d))
    return { reason: 'inflated_too_large', code: status.RESOURCE_EXHAUSTED, details: `the message inflates to over ${limit}; send smaller batches` };
  if (/^Failed to decompress message|compressed flag/.test(d))
    return {
      reason: 'bad_compression',
      code: status.INTERNAL,
      details: `${d.startsWith('Failed') ? 'the message is not valid data of its grpc-encoding' : d}; send it gzip-compressed with grpc-encoding: gzip, or uncompressed`,
    };
  const enc = /unsupported encoding "([^"]{0,40})/.exec(d);
  if (enc !== null)
    return { reason: 'unsupported_encoding', code: status.UNIMPLEMENTED, details: `grpc-encoding "${enc[1]}" is not supported; use gzip, deflate or identity` };
  if (d.startsWith('Received no request message'))
    return {
      reason: 'incomplete_message',
      code: status.INTERNAL,
      details: 'the call ended without a whole ExportRequest (none sent, or fewer bytes than its length prefix announced); send the whole message again',
    };
  if (d.startsWith('Received a second request message'))
    return {
      reason: 'extra_message',
      code: status.INTERNAL,
      details: 'an Export call carries one ExportRequest; send each batch in its own call, or use ExportStream',
    };
  if (d.startsWith('Invalid grpc-timeout'))
    return { reason: 'bad_timeout', code: status.INTERNAL, details: 'grpc-timeout is not a gRPC timeout (1-8 digits and one of H M S m u n)' };
  if (st.code === status.DEADLINE_EXCEEDED)
    return {
      reason: 'deadline',
      code: status.DEADLINE_EXCEEDED,
      details:
        'the call deadline passed before the batch was acknowledged; it may have been stored: send it again with a longer deadline (a stored one is answered duplicate)',
    };
  return undefined; // not one of grpc-js's own (e.g. the service's INTERNAL, STOPPING): counted where it was made
}

interface BaseCall {
  sendStatus(st: Status): void;
}

/** The client reset the call's HTTP/2 stream, or grpc-js saw it cancelled: whatever is sent now goes nowhere. */
function cancelled(base: object): boolean {
  const stream: unknown = Reflect.get(base, 'stream');
  if (typeof stream === 'object' && stream !== null && Reflect.get(stream, 'aborted') === true) return true;
  const check: unknown = Reflect.get(base, 'checkCancelled');
  return typeof check === 'function' && (check as () => unknown).call(base) === true;
}

/** True when grpc-js's decoder of this call holds part of a message (its readState is not NO_DATA, 0). */
function midMessage(base: object): boolean {
  const decoder: unknown = Reflect.get(base, 'decoder');
  const state: unknown = typeof decoder === 'object' && decoder !== null ? Reflect.get(decoder, 'readState') : undefined;
  return typeof state === 'number' && state !== 0;
}

/**
 * The interceptor; it must be the first of the server's list, so that `next` is grpc-js's base call
 * (whose own statuses it replaces). Where `next` has no `sendStatus` it does nothing.
 */
export function createTransportRefusals(o: TransportRefusalOptions): ServerInterceptor {
  const log = o.log?.child({ module: 'grpc.transport' });
  const shouldLog = onceEvery(60_000, o.now ?? Date.now);
  return (_method, next) => {
    const base = next as unknown as Partial<BaseCall>;
    const send = base.sendStatus;
    // The interceptor returns the call it was given (typed as the class grpc-js's signature names).
    const same = next as ServerInterceptingCall;
    if (typeof send !== 'function') return same;
    base.sendStatus = function (this: unknown, st: Status): void {
      // A call the client already cancelled sends nothing: nothing to count.
      if (cancelled(base)) {
        send.call(this, st);
        return;
      }
      // OK after the client half-closed inside a message (an ExportStream cut short): grpc-js drops
      // the partial message and would end the call OK.
      if (st.code === status.OK && midMessage(base)) st = { ...st, code: status.UNKNOWN, details: 'Received no request message' };
      if (st.code === status.OK || (st.metadata?.get('x-renderwatch-error-code').length ?? 0) > 0) {
        send.call(this, st);
        return;
      }
      const x = explainTransportStatus(st, o.maxMessageBytes);
      if (x === undefined) {
        send.call(this, st);
        return;
      }
      o.onRefused?.(x.reason);
      if (log !== undefined && shouldLog(x.reason)) log.warn({ reason: x.reason, code: x.code, detail: x.details, grpcJs: st.details }, 'gRPC call refused');
      send.call(this, { ...st, code: x.code, details: x.details });
    };
    return same;
  };
}
