// The reused inflate handle gives what gunzipSync / inflateSync give, message after message,
// including after a message it refused (corrupt, truncated, over the limit): the handle is reset
// every time, so no state leaks from one message into the next.
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { array, assert as fcAssert, integer, property, uint8Array } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reusedInflater } from './one-shot-inflate.js';

const gz = reusedInflater('gzip');
const df = reusedInflater('deflate');

describe('reusedInflater', () => {
  it('exists on this node', () => {
    expect(gz).toBeDefined();
    expect(df).toBeDefined();
  });

  it('inflates what gzipSync and deflateSync made, byte for byte, over generated messages of up to 200 KB', () => {
    fcAssert(
      property(array(uint8Array({ maxLength: 2000 }), { maxLength: 5 }), integer({ min: 0, max: 200_000 }), (pieces, zeros) => {
        const plain = Buffer.concat([...pieces.map((p) => Buffer.from(p)), Buffer.alloc(zeros)]);
        expect(gz?.(gzipSync(plain), -1).equals(plain)).toBe(true);
        expect(df?.(deflateSync(plain), 1 << 20).equals(plain)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses bytes that are not gzip, a truncated message and one past the limit, and inflates the next one correctly', () => {
    const msg = Buffer.from('GPU-0 NVIDIA L40S '.repeat(300));
    const z = gzipSync(msg);
    expect(() => gz?.(Buffer.from('definitely not gzip'), -1)).toThrow(/incorrect header check/);
    expect(gz?.(z, -1).equals(msg)).toBe(true);
    expect(() => gz?.(z.subarray(0, z.length - 10), -1)).toThrow(/unexpected end of file/);
    expect(gz?.(z, -1).equals(msg)).toBe(true);
    expect(() => gz?.(z, msg.length - 1)).toThrow(/inflated past/);
    expect(gz?.(z, msg.length).equals(msg)).toBe(true);
    // two gzip members in one message, as gunzipSync reads them
    const two = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
    expect(gz?.(two, -1).toString()).toBe(gunzipSync(two).toString());
  });

  it('hands out a copy: a later message does not overwrite an earlier result', () => {
    const a = gz?.(gzipSync(Buffer.from('first message')), -1);
    gz?.(gzipSync(Buffer.from('SECOND MESSAGE, LONGER')), -1);
    expect(a?.toString()).toBe('first message');
  });
});
