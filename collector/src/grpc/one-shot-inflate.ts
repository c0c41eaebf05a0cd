// One-shot decompression of small gRPC messages. grpc-js (1.14) inflates every compressed message
// through a fresh zlib stream (createGunzip, events, chunk list, Buffer.concat): for a 16-row batch
// of ~1 KB that was the largest single cost of an Export call in the collector's CPU profile
// (zlib processChunk ~15% of busy time, bench/README.md). Messages up to ONE_SHOT_MAX_BYTES
// compressed are inflated synchronously instead, with the same output limit (the server's max
// receive size, so a gzip bomb stops there) and the same statuses; larger ones keep grpc-js's
// streaming path (on the thread pool, off the event loop).
//
// The synchronous inflate reuses one zlib handle per encoding (reset after each message) and one
// 64 KiB output buffer, copying out exactly the inflated bytes: `gunzipSync` would build a zlib
// stream object, initialise and free the inflate state and allocate a 16 KiB output buffer (kept
// alive by the message) for every message — outside-the-heap allocations that also make V8
// collect more often. The handle is node's own (`_handle`, `_writeState` of a zlib stream, the
// calls `gunzipSync` makes itself); where this node does not have them, `gunzipSync` is used.
// The gate (export-gate.ts) runs before any message is read, so only authenticated calls get here.
import { createRequire } from 'node:module';
import { constants, createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';
import { status } from '@grpc/grpc-js';

/** Compressed messages up to this size are inflated in one synchronous call (≤ ~1 ms of CPU each). */
export const ONE_SHOT_MAX_BYTES = 256 * 1024;

interface BaseCall {
  maxReceiveMessageSize: number;
  decompressMessage(message: Buffer, encoding: string): Buffer | Promise<Buffer>;
}

/** What a node zlib stream keeps of its native handle (node 20). */
interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
  reset(): void;
}

class InflateError extends Error {
  constructor(
    message: string,
    readonly tooLarge: boolean,
  ) {
    super(message);
  }
}

/** `(input, max) => inflated` on one reused handle, or undefined where node's zlib internals differ. */
type Inflate = (input: Buffer, max: number) => Buffer;

const OUT_CHUNK = 64 * 1024;
/** The zlib streams whose handles are reused, kept for the life of the process. */
const OWNERS: unknown[] = [];

export function reusedInflater(encoding: 'gzip' | 'deflate'): Inflate | undefined {
  const stream = encoding === 'gzip' ? createGunzip() : createInflate();
  const handle = Reflect.get(stream, '_handle') as ZlibHandle | undefined;
  const state = Reflect.get(stream, '_writeState') as Uint32Array | undefined;
  if (handle === undefined || state === undefined || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function') return undefined;
  OWNERS.push(stream);
  let failed: string | undefined;
  // The native handle reports an error through this callback, synchronously inside writeSync.
  Object.assign(handle, {
    onerror: (message: string) => {
      failed = message;
    },
  });
  const out = Buffer.allocUnsafe(OUT_CHUNK);
  return (input, max) => {
    failed = undefined;
    let inOff = 0;
    let inLen = input.length;
    let total = 0;
    let parts: Buffer[] | undefined;
    try {
      for (;;) {
        handle.writeSync(constants.Z_FINISH, input, inOff, inLen, out, 0, OUT_CHUNK);
        if (failed !== undefined) throw new InflateError(failed, false);
        const availOut = state[0] ?? 0;
        const availIn = state[1] ?? 0;
        const have = OUT_CHUNK - availOut;
        total += have;
        if (max !== -1 && total > max) throw new InflateError(`inflated past ${max} bytes`, true);
        const piece = Buffer.from(out.subarray(0, have));
        if (availOut !== 0) return parts === undefined ? piece : Buffer.concat([...parts, piece], total);
        (parts ??= []).push(piece);
        inOff += inLen - availIn;
        inLen = availIn;
      }
    } finally {
      handle.reset();
    }
  };
}

/** gunzipSync / inflateSync, where node's zlib internals are not what reusedInflater expects. */
function fallback(encoding: 'gzip' | 'deflate'): Inflate {
  const once = encoding === 'gzip' ? gunzipSync : inflateSync;
  return (input, max) => {
    try {
      return once(input, max === -1 ? {} : { maxOutputLength: max });
    } catch (err: unknown) {
      throw new InflateError(err instanceof Error ? err.message : String(err), (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
    }
  };
}

let installed: boolean | undefined;

/** Installs the one-shot path once per process; false when this grpc-js does not have the method it replaces. */
export function installOneShotInflate(): boolean {
  if (installed !== undefined) return installed;
  const require = createRequire(import.meta.url);
  const mod = require('@grpc/grpc-js/build/src/server-interceptors.js') as { BaseServerInterceptingCall?: { prototype: BaseCall } };
  const proto = mod.BaseServerInterceptingCall?.prototype;
  if (proto === undefined || typeof proto.decompressMessage !== 'function') return (installed = false);
  const streaming = proto.decompressMessage;
  const inflaters: Record<'gzip' | 'deflate', Inflate> = {
    gzip: reusedInflater('gzip') ?? fallback('gzip'),
    deflate: reusedInflater('deflate') ?? fallback('deflate'),
  };
  proto.decompressMessage = function (this: BaseCall, message: Buffer, encoding: string): Buffer | Promise<Buffer> {
    const body = message.subarray(5);
    // The compressed flag without a grpc-encoding (grpc-js reads it as identity and took the bytes
    // as they are): a protocol error (gRPC spec: INTERNAL), not a message to decode.
    if (encoding === 'identity' && message[0] === 1) {
      return Promise.reject({ code: status.INTERNAL, details: 'the message has its compressed flag set but the call has no grpc-encoding' });
    }
    if ((encoding !== 'gzip' && encoding !== 'deflate') || body.length > ONE_SHOT_MAX_BYTES) return streaming.call(this, message, encoding);
    const max = this.maxReceiveMessageSize;
    try {
      return inflaters[encoding](body, max);
    } catch (err: unknown) {
      const tooLarge = err instanceof InflateError && err.tooLarge;
      // The statuses grpc-js answers on its streaming path.
      return Promise.reject(
        tooLarge
          ? { code: status.RESOURCE_EXHAUSTED, details: `Received message that decompresses to a size larger than ${max}` }
          : { code: status.INTERNAL, details: 'Failed to decompress message' },
      );
    }
  };
  return (installed = true);
}
