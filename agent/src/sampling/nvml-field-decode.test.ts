import { describe, expect, it } from 'vitest';
import { decodeFieldAt } from './nvml-lib.js';

// nvmlFieldValue_t as this test lays it out: valueType at 0, nvmlReturn at 4, the 8-byte value at 8.
const LAYOUT = { valueType: 0, nvmlReturn: 4, value: 8 };
function field(valueType: number, write: (b: Buffer) => void, rc = 0): Buffer {
  const b = Buffer.alloc(24);
  b.writeInt32LE(valueType, 0);
  b.writeInt32LE(rc, 4);
  write(b);
  return b;
}
const u64 = (v: bigint) => field(3, (b) => b.writeBigUInt64LE(v, 8));
const s64 = (v: bigint) => field(4, (b) => b.writeBigInt64LE(v, 8));

describe('decodeFieldAt (64-bit values without BigInt)', () => {
  it('reads unsigned 64-bit values exactly up to 2^53 and as Number(BigInt) rounds them above', () => {
    expect(decodeFieldAt(u64(5_000_000n), 0, LAYOUT)).toEqual({ ok: true, value: 5_000_000 });
    // 2^40 + 5: the high word matters
    expect(decodeFieldAt(u64(1_099_511_627_781n), 0, LAYOUT)).toEqual({ ok: true, value: 1_099_511_627_781 });
    expect(decodeFieldAt(u64(2n ** 53n - 1n), 0, LAYOUT)).toEqual({ ok: true, value: 9_007_199_254_740_991 });
    for (const v of [2n ** 53n + 1n, 2n ** 63n + 2049n, 2n ** 64n - 1n, 0xdead_beef_cafe_f00dn]) {
      expect(decodeFieldAt(u64(v), 0, LAYOUT)).toEqual({ ok: true, value: Number(v) });
    }
    // type 2 (unsigned long) is read the same way
    expect(
      decodeFieldAt(
        field(2, (b) => b.writeBigUInt64LE(4_294_967_296n, 8)),
        0,
        LAYOUT,
      ),
    ).toEqual({ ok: true, value: 4_294_967_296 });
  });

  it('reads signed 64-bit values, negative ones included', () => {
    expect(decodeFieldAt(s64(-5n), 0, LAYOUT)).toEqual({ ok: true, value: -5 });
    expect(decodeFieldAt(s64(-1_099_511_627_781n), 0, LAYOUT)).toEqual({ ok: true, value: -1_099_511_627_781 });
    for (const v of [-(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 3n]) expect(decodeFieldAt(s64(v), 0, LAYOUT)).toEqual({ ok: true, value: Number(v) });
  });

  it('reads the field at its offset and passes a failed field through as its return code', () => {
    const two = Buffer.concat([u64(7n), field(3, () => undefined, 3)]);
    expect(decodeFieldAt(two, 0, LAYOUT)).toEqual({ ok: true, value: 7 });
    expect(decodeFieldAt(two, 24, LAYOUT)).toEqual({ ok: false, rc: 3 });
  });
});
