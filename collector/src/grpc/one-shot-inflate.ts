// One-shot decompression of small gRPC messages. grpc-js (1.14) inflates every compressed message
// through a fresh zlib stream (createGunzip, events, chunk list, Buffer.concat): for a 16-row batch
// of ~1 KB that was the largest single cost of an Export call in the collector's CPU profile
// (zlib processChunk ~15% of busy time, bench/README.md). Messages up to ONE_SHOT_MAX_BYTES
// compressed are inflated with zlib's synchronous one-shot call instead, with the same output limit
// (maxOutputLength = the server's max receive size, so a gzip bomb stops there) and the same
// statuses; larger ones keep grpc-js's streaming path (on the thread pool, off the event loop).
// The gate (export-gate.ts) runs before any message is read, so only authenticated calls get here.
import { createRequire } from 'node:module';
import { gunzipSync, inflateSync } from 'node:zlib';
import { status } from '@grpc/grpc-js';

/** Compressed messages up to this size are inflated in one synchronous call (≤ ~1 ms of CPU each). */
export const ONE_SHOT_MAX_BYTES = 256 * 1024;

interface BaseCall {
  maxReceiveMessageSize: number;
  decompressMessage(message: Buffer, encoding: string): Buffer | Promise<Buffer>;
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
  proto.decompressMessage = function (this: BaseCall, message: Buffer, encoding: string): Buffer | Promise<Buffer> {
    const body = message.subarray(5);
    if ((encoding !== 'gzip' && encoding !== 'deflate') || body.length > ONE_SHOT_MAX_BYTES) return streaming.call(this, message, encoding);
    const max = this.maxReceiveMessageSize;
    try {
      const opts = max === -1 ? {} : { maxOutputLength: max };
      return encoding === 'gzip' ? gunzipSync(body, opts) : inflateSync(body, opts);
    } catch (err: unknown) {
      const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
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
