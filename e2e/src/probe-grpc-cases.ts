// The malformed messages of the gRPC probe (probe-grpc.e2e.test.ts): each with the status it must
// get and what its message must say. Side-effect free at import.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { batch, frame } from './probe-grpc-harness.js';

/** COLLECTOR_MAX_MESSAGE_BYTES of the probe's collector. */
export const MAX = 1024 * 1024;
/** grpc-js/ClickHouse/node internals a refusal must never show. */
export const LEAK = /DB::|clickhouse|Exception|stack|\bat \S+\.(ts|js)|node_modules|grpc-js|server streaming|deserializ|Received message/i;
/** Deterministic junk: sha256 chained. */
export const junk = (n: number): Buffer => {
  const out: Buffer[] = [];
  for (let h = Buffer.from('probe'); out.length * 32 < n;) out.push((h = createHash('sha256').update(h).digest()));
  return Buffer.concat(out).subarray(0, n);
};

export interface Bad {
  name: string;
  chunks: Buffer[];
  headers?: Record<string, string>;
  code: number;
  says: RegExp;
}

/** The cases, for a collector whose token header is `A`; `T0` a timestamp for the batches. */
export function badCases(A: Record<string, string>, T0: number): Bad[] {
  const gz = { ...A, 'grpc-encoding': 'gzip' };
  return [
    { name: 'random bytes', chunks: [frame(Buffer.concat([Buffer.from([0x0f]), junk(300)]))], code: 3, says: /not an ExportRequest.*send a renderwatch/ },
    { name: 'truncated protobuf', chunks: [frame(batch('probe-bad', 1, T0).subarray(0, 20))], code: 3, says: /premature EOF.*send a renderwatch/ },
    { name: 'wrong wire type (agent_id as varint)', chunks: [frame(Buffer.from([0x08, 0x05, 0x10, 0x01]))], code: 3, says: /agent_id is missing/ },
    { name: 'unterminated nested length', chunks: [frame(Buffer.from([0x22, 0x0a, 0xd2, 0x01, 0xff, 0xff, 0xff, 0x0f]))], code: 3, says: /send a renderwatch/ },
    {
      name: '60,000 repeated host samples',
      chunks: [
        frame(
          Buffer.concat([
            batch('probe-bad', 2, T0),
            ...Array.from({ length: 60_000 }, () => Buffer.from([0x2a, 0x02, 0x08, 0x01])), // host_samples { ts_unix_ms: 1 }
          ]),
        ),
      ],
      code: 3,
      says: /60001 rows > 50000; send smaller batches/,
    },
    {
      name: 'length prefix bigger than the data',
      chunks: [frame(batch('probe-bad', 3, T0), { lengthSays: 5000 })],
      code: 13,
      says: /fewer bytes than its length prefix.*send the whole/,
    },
    {
      name: 'length prefix smaller than the data',
      chunks: [frame(batch('probe-bad', 4, T0), { lengthSays: 3 })],
      code: 8,
      says: /bytes, over 1048576 bytes \(COLLECTOR_MAX_MESSAGE_BYTES\); send smaller/,
    },
    { name: 'length prefix of 4 GiB', chunks: [frame(Buffer.alloc(10), { lengthSays: 0xffffffff })], code: 8, says: /4294967295 bytes, over 1048576/ },
    {
      name: 'compressed flag, no grpc-encoding',
      chunks: [frame(gzipSync(batch('probe-bad', 5, T0)), { compressed: true })],
      code: 13,
      says: /compressed flag set.*no grpc-encoding; send it gzip/,
    },
    {
      name: 'grpc-encoding zstd',
      chunks: [frame(batch('probe-bad', 6, T0), { compressed: true })],
      headers: { ...A, 'grpc-encoding': 'zstd' },
      code: 12,
      says: /"zstd" is not supported; use gzip/,
    },
    {
      name: 'gzip flag on bytes that are not gzip',
      chunks: [frame(junk(200), { compressed: true })],
      headers: gz,
      code: 13,
      says: /not valid data of its grpc-encoding; send it/,
    },
    {
      name: 'gzip bomb: 50 KB → 50 MB',
      chunks: [frame(gzipSync(Buffer.alloc(50 * MAX)), { compressed: true })],
      headers: gz,
      code: 8,
      says: /inflates to over 1048576 bytes.*send smaller/,
    },
    {
      name: 'gzip bomb over 256 KiB compressed (streaming inflate)',
      chunks: [frame(gzipSync(Buffer.concat([junk(300_000), Buffer.alloc(2 * MAX)])), { compressed: true })],
      headers: gz,
      code: 8,
      says: /inflates to over 1048576/,
    },
    { name: '2 MiB plain message', chunks: [frame(Buffer.alloc(2 * MAX))], code: 8, says: /2097152 bytes, over 1048576/ },
    {
      name: 'compressed message itself over the limit',
      chunks: [frame(gzipSync(junk(MAX + 4096)), { compressed: true })],
      headers: gz,
      code: 8,
      says: /over 1048576 bytes/,
    },
    { name: 'no message, half-closed', chunks: [], code: 13, says: /without a whole ExportRequest/ },
    {
      name: 'two messages on a unary call',
      chunks: [frame(batch('probe-bad', 7, T0)), frame(batch('probe-bad', 8, T0))],
      code: 13,
      says: /one ExportRequest; send each batch in its own call/,
    },
    {
      name: 'grpc-timeout that is not one',
      chunks: [frame(batch('probe-bad', 9, T0))],
      headers: { ...A, 'grpc-timeout': 'soon' },
      code: 13,
      says: /not a gRPC timeout/,
    },
  ];
}
