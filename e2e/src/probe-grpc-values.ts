// The values part of the gRPC probe (probe-grpc.e2e.test.ts): impossible numbers in every double
// field, timestamps at the edges, negative durations, huge GPU indexes, empty and 1 MB strings,
// non-UTF-8 bytes, one batch id with two contents, one agent id under two tenants, and prompt text in
// a free-text field. What is stored is read back from ClickHouse (FINAL).
import { raw, sql, type Storage } from '@renderwatch/collector';
import type { GpuSample } from '@renderwatch/proto';
import { expect } from 'vitest';
import { batch, frame, rawCall } from './probe-grpc-harness.js';

export interface ValuesProbe {
  port: number;
  storage: Storage;
  tokenA: string;
  tokenB: string;
  t0: number;
}

const DOUBLES = [
  'utilizationGpuRatio',
  'utilizationMemoryRatio',
  'temperatureCelsius',
  'powerDrawWatts',
  'powerLimitWatts',
  'energyJoules',
  'fanRatio',
  'energyDeltaJoules',
];
const COLUMNS = ['util_ratio', 'mem_util_ratio', 'temp_celsius', 'power_draw_watts', 'power_limit_watts', 'energy_joules', 'fan_ratio', 'energy_delta_joules'];
const IMPOSSIBLE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -100, 1e300];

export async function probeValues(p: ValuesProbe): Promise<void> {
  const A = { authorization: `Bearer ${p.tokenA}` };
  const send = (body: Buffer, token = A): ReturnType<typeof rawCall> => rawCall(p.port, { chunks: [frame(body)], headers: token });
  const q = <T>(query: ReturnType<typeof sql>): Promise<T[]> => p.storage.query<T>(query);

  // Every double field of a GPU sample at NaN, ±Inf, -100 and 1e300, and the uint32 clocks at their maximum: stored, as NULL.
  const samples: Partial<GpuSample>[] = IMPOSSIBLE.map((v, i) => ({
    tsUnixMs: p.t0 + i,
    index: 0,
    uuid: 'GPU-values',
    name: 'NVIDIA L4',
    smClockMhz: 4_294_967_295,
    memoryClockMhz: 4_294_967_295,
    ...Object.fromEntries(DOUBLES.map((f) => [f, v])),
  }));
  const a = await send(batch('probe-values', 1, p.t0, { gpuSamples: samples as GpuSample[] }));
  expect([a.grpcStatus, a.acks[0]?.acceptedRows]).toEqual([0, 5]);
  const rows = await q<Record<string, unknown>>(
    sql`SELECT ${raw(COLUMNS.join(', '))}, sm_clock_mhz, mem_clock_mhz FROM gpu_samples FINAL WHERE agent_id = ${'probe-values'} ORDER BY ts_ms`,
  );
  expect(rows.length).toBe(5);
  expect(rows.every((r) => Object.values(r).every((v) => v === null))).toBe(true);

  // Timestamps: 0, 1970, 9999-12-31, 2^53 and 11 minutes ahead refuse the batch; nothing of it is stored.
  const edges = [0, 1000, 253_402_300_799_000, Number.MAX_SAFE_INTEGER, Date.now() + 11 * 60_000];
  for (const [i, ts] of edges.entries()) {
    const r = await send(batch('probe-ts', i + 1, ts));
    expect([ts, r.grpcStatus, r.grpcMessage]).toEqual([
      ts,
      3,
      expect.stringMatching(/ts_unix_ms (missing or not positive|is older than 400 days|is more than 10 minutes in the future)/),
    ]);
  }
  expect(await q(sql`SELECT 1 FROM gpu_samples WHERE agent_id = ${'probe-ts'}`)).toEqual([]);

  // Negative and huge durations: the event is stored, the value is NULL.
  const ev = await send(
    batch('probe-durations', 1, p.t0, {
      events: [
        {
          tsUnixMs: p.t0,
          kind: 'job_end',
          runtime: 'comfyui',
          body: { $case: 'jobEnd', value: { jobId: 'j1', durationS: -1, outcome: 'ok', images: 4_294_967_295 } },
        },
        { tsUnixMs: p.t0, kind: 'runtime_ready', runtime: 'comfyui', body: { $case: 'runtimeReady', value: { startupS: -1e9 } } },
      ],
    }),
  );
  expect([ev.grpcStatus, ev.acks[0]?.acceptedRows]).toEqual([0, 3]);
  expect(await q(sql`SELECT kind, duration_s, startup_s, images FROM runtime_events FINAL WHERE agent_id = ${'probe-durations'} ORDER BY kind`)).toEqual([
    { kind: 'job_end', duration_s: null, startup_s: null, images: null },
    { kind: 'runtime_ready', duration_s: null, startup_s: null, images: null },
  ]);

  // GPU index 4,294,967,295 drops its row (not wrapped); a 1 MB name is stored as ''; uuid and name both empty refuse the batch.
  const idx = await send(
    batch('probe-strings', 1, p.t0, {
      gpuSamples: [
        { tsUnixMs: p.t0, index: 4_294_967_295, uuid: 'GPU-huge-index', name: 'x' } as GpuSample,
        { tsUnixMs: p.t0, index: 1, uuid: 'GPU-long-name', name: 'n'.repeat(1_000_000) } as GpuSample,
      ],
    }),
  );
  expect([idx.grpcStatus, idx.acks[0]?.acceptedRows]).toEqual([0, 1]);
  expect(await q(sql`SELECT gpu_uuid, gpu_index, gpu_name FROM gpu_samples FINAL WHERE agent_id = ${'probe-strings'}`)).toEqual([
    { gpu_uuid: 'GPU-long-name', gpu_index: 1, gpu_name: '' },
  ]);
  const empty = await send(batch('probe-strings', 2, p.t0, { gpuSamples: [{ tsUnixMs: p.t0, index: 0, uuid: '', name: '' } as GpuSample] }));
  expect([empty.grpcStatus, empty.grpcMessage]).toEqual([3, expect.stringMatching(/uuid and name both empty/)]);

  // A host name with bytes that are not UTF-8, or a 1 MB one: refused, saying which.
  const nonUtf8 = Buffer.concat([
    Buffer.from([0x0a, 0x0a]),
    Buffer.from('probe-utf8'),
    Buffer.from([0x10, 0x01, 0x1a, 0x06, 0x0a, 0x04, 0xff, 0xfe, 0xc3, 0x28]),
  ]);
  const bad = await send(nonUtf8);
  expect([bad.grpcStatus, bad.grpcMessage]).toEqual([3, expect.stringMatching(/host.hostname has control characters or bytes that are not UTF-8/)]);
  const longHost = await send(
    batch('probe-utf8', 2, p.t0, { host: { hostname: 'h'.repeat(1_000_000), driverVersion: '', cudaVersion: '', agentVersion: '', labels: {} } }),
  );
  expect([longHost.grpcStatus, longHost.grpcMessage]).toEqual([3, expect.stringMatching(/host.hostname is 1000000 characters, over 253/)]);
  expect(await q(sql`SELECT 1 FROM hosts WHERE agent_id = ${'probe-utf8'}`)).toEqual([]);

  // One (agent id, batch seq) with two contents: the first is kept, the second answered duplicate.
  const first = await send(
    batch('probe-dup', 7, p.t0, { gpuSamples: [{ tsUnixMs: p.t0, index: 0, uuid: 'GPU-dup', name: 'L4', temperatureCelsius: 50 } as GpuSample] }),
  );
  const second = await send(
    batch('probe-dup', 7, p.t0 + 5, { gpuSamples: [{ tsUnixMs: p.t0 + 5, index: 0, uuid: 'GPU-dup', name: 'L4', temperatureCelsius: 99 } as GpuSample] }),
  );
  expect([first.acks, second.acks]).toEqual([[{ acceptedRows: 1, duplicate: false }], [{ acceptedRows: 0, duplicate: true }]]);
  // The same agent id and seq under tenant B's token: tenant B's own batch, tenant A's untouched.
  const other = await send(batch('probe-dup', 7, p.t0 + 9), { authorization: `Bearer ${p.tokenB}` });
  expect(other.acks).toEqual([{ acceptedRows: 1, duplicate: false }]);
  expect(await q(sql`SELECT tenant, temp_celsius, ts_ms FROM gpu_samples FINAL WHERE agent_id = ${'probe-dup'} ORDER BY tenant`)).toEqual([
    { tenant: 'tenant-a', temp_celsius: 50, ts_ms: p.t0 % 1000 },
    { tenant: 'tenant-b', temp_celsius: 50, ts_ms: (p.t0 + 9) % 1000 },
  ]);

  // Prompt text in an error message: the collector stores the message it is sent (the agent sends a
  // template by default, docs/privacy.md); a message over 4,096 characters is dropped.
  const prompt = 'Prompt a lighthouse keeper painting violet whales at dawn could not be encoded';
  const err = await send(
    batch('probe-prompt', 1, p.t0, {
      events: [
        { tsUnixMs: p.t0, kind: 'error', runtime: 'comfyui', body: { $case: 'error', value: { errorType: 'ValueError', message: prompt } } },
        { tsUnixMs: p.t0, kind: 'error', runtime: 'comfyui', body: { $case: 'error', value: { errorType: 'ValueError', message: 'w'.repeat(5000) } } },
      ],
    }),
  );
  expect(err.acks[0]?.acceptedRows).toBe(3);
  expect(await q(sql`SELECT message FROM runtime_events FINAL WHERE agent_id = ${'probe-prompt'} ORDER BY seq`)).toEqual([
    { message: prompt },
    { message: '' },
  ]);
}
