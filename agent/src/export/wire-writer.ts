// The protobuf writer the agent encodes its spool frames and Export calls with: @bufbuild/protobuf's
// BinaryWriter, except that a 64-bit field given as a safe integer number is split into its two
// 32-bit words with arithmetic. The library goes through BigInt(value), a DataView and a {lo, hi}
// object for each of them (~60 uint64 fields in a batch's rows: timestamps, bytes, energy), which the
// daemon, running interpreted (--no-opt), paid on every spool frame. The bytes are the same
// (wire-writer.test.ts compares them); any other value (bigint, string, beyond 2^53, not an
// integer) goes to the library as before.
import { BinaryWriter } from '@renderwatch/proto';

const TWO_32 = 4294967296;

/** The library's (private) varint writer taking the low and high 32-bit words as int32s. */
type Varint64 = { writeVarint64(lo: number, hi: number): BinaryWriter };

export class NumberInt64Writer extends BinaryWriter {
  override uint64(value: string | number | bigint): this {
    if (typeof value !== 'number' || value < 0 || !Number.isSafeInteger(value)) return super.uint64(value);
    (this as unknown as Varint64).writeVarint64(value | 0, Math.floor(value / TWO_32) | 0);
    return this;
  }

  override int64(value: string | number | bigint): this {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return super.int64(value);
    // Two's complement: ToInt32 takes each word modulo 2^32, floor() carries the sign into the high word.
    (this as unknown as Varint64).writeVarint64(value | 0, Math.floor(value / TWO_32) | 0);
    return this;
  }
}
