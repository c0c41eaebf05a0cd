import { ExportRequest, GpuSample, HostSample } from '@renderwatch/proto';
import { array, constant, constantFrom, double, assert as fcAssert, integer, oneof, option, property, record, string } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toRows } from './rows.js';
import { splitTs } from '../domain/time.js';

// The row objects rows.ts built before it wrote JSONEachRow text itself (and which the client then
// passed to JSON.stringify): the text must stay exactly what JSON.stringify gave for them.
const ratio = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.min(v, 1));
const common = (tsUnixMs: number) => {
  const s = Math.floor(tsUnixMs / 1000);
  return { tenant: 'ten"ant', host: 'h\u00e9\\st', agent_id: 'agent-1', ts: splitTs(s * 1000).ts, ts_ms: tsUnixMs - s * 1000 };
};
const gpuObject = (g: GpuSample): Record<string, unknown> => ({
  ...common(g.tsUnixMs),
  gpu_index: g.index,
  gpu_uuid: g.uuid === '' ? `index-${g.index}` : g.uuid,
  gpu_name: g.name,
  util_ratio: ratio(g.utilizationGpuRatio),
  mem_util_ratio: ratio(g.utilizationMemoryRatio),
  mem_used_bytes: g.memoryUsedBytes,
  mem_total_bytes: g.memoryTotalBytes,
  mem_reserved_bytes: g.memoryReservedBytes,
  temp_celsius: g.temperatureCelsius,
  power_draw_watts: g.powerDrawWatts,
  power_limit_watts: g.powerLimitWatts,
  energy_joules: g.energyJoules,
  sm_clock_mhz: g.smClockMhz,
  sm_clock_max_mhz: g.smClockMaxMhz,
  mem_clock_mhz: g.memoryClockMhz,
  mem_clock_max_mhz: g.memoryClockMaxMhz,
  fan_ratio: g.fanRatio,
  clock_event_reasons: g.clockEventReasonsMask,
  pcie_tx_bytes_per_s: g.pcieTxBytesPerS,
  pcie_rx_bytes_per_s: g.pcieRxBytesPerS,
  ecc_corrected_total: g.eccCorrectedTotal,
  ecc_uncorrected_total: g.eccUncorrectedTotal,
  throttle_thermal_us: g.throttleThermalUs,
  throttle_power_us: g.throttlePowerUs,
  interval_ms: g.intervalMs,
  energy_delta_joules: g.energyDeltaJoules,
  mig_enabled: g.migEnabled ? 1 : 0,
  process_pids: g.processes.map((p) => p.pid),
  process_names: g.processes.map((p) => p.name),
  process_runtimes: g.processes.map((p) => p.runtime),
  process_mem_bytes: g.processes.map((p) => p.usedMemoryBytes ?? 0),
  batch_seq: 7,
});
const hostObject = (h: HostSample): Record<string, unknown> => ({
  ...common(h.tsUnixMs),
  cpu_ratio: ratio(h.cpuRatio),
  mem_used_bytes: h.memoryUsedBytes,
  mem_total_bytes: h.memoryTotalBytes,
  swap_used_bytes: h.swapUsedBytes,
  swap_total_bytes: h.swapTotalBytes,
  volume_mounts: h.volumes.map((v) => v.mount),
  volume_roles: h.volumes.map((v) => v.role),
  volume_size_bytes: h.volumes.map((v) => v.sizeBytes),
  volume_free_bytes: h.volumes.map((v) => v.freeBytes),
  disk_read_bytes_per_s: h.diskReadBytesPerS,
  disk_write_bytes_per_s: h.diskWriteBytesPerS,
  net_rx_bytes_per_s: h.netRxBytesPerS,
  net_tx_bytes_per_s: h.netTxBytesPerS,
  batch_seq: 7,
});

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const ts = integer({ min: NOW - 3_600_000, max: NOW });
const u64 = option(oneof(integer({ min: 0, max: 2 ** 31 }), constantFrom(0, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER)), { nil: undefined });
const dbl = option(oneof(double(), constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 0.1, 1e21, 5e-7)), { nil: undefined });
const ratioArb = option(double({ min: 0, max: 1.5, noNaN: true }), { nil: undefined });
const text = oneof(string(), string({ unit: 'grapheme' }), constantFrom('', 'a"b\\c\n\t\u2028\u0001', '\ud800'));
const u32 = option(integer({ min: 0, max: 2 ** 32 - 1 }), { nil: undefined });
const gpuArb = record({
  tsUnixMs: ts,
  index: integer({ min: 0, max: 64 }),
  uuid: text,
  name: constantFrom('NVIDIA L40S', 'x', ''),
  pciBusId: constant(''),
  utilizationGpuRatio: ratioArb,
  utilizationMemoryRatio: ratioArb,
  memoryUsedBytes: u64,
  memoryTotalBytes: u64,
  memoryReservedBytes: u64,
  temperatureCelsius: dbl,
  powerDrawWatts: dbl,
  powerLimitWatts: dbl,
  energyJoules: dbl,
  smClockMhz: u32,
  smClockMaxMhz: u32,
  memoryClockMhz: u32,
  memoryClockMaxMhz: u32,
  fanRatio: dbl,
  clockEventReasonsMask: u64,
  pcieTxBytesPerS: u64,
  pcieRxBytesPerS: u64,
  eccCorrectedTotal: u64,
  eccUncorrectedTotal: u64,
  migEnabled: constantFrom(true, false),
  throttleThermalUs: u64,
  throttlePowerUs: u64,
  intervalMs: option(integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
  energyDeltaJoules: option(double({ min: 0, max: 1e12, noNaN: true }), { nil: undefined }),
  processes: array(record({ pid: integer({ min: 0, max: 2 ** 31 }), name: text, usedMemoryBytes: u64, runtime: text }), { maxLength: 3 }),
});
const hostArb = record({
  tsUnixMs: ts,
  cpuRatio: ratioArb,
  memoryUsedBytes: u64,
  memoryTotalBytes: u64,
  swapUsedBytes: u64,
  swapTotalBytes: u64,
  volumes: array(record({ mount: text, role: text, sizeBytes: integer({ min: 0, max: 2 ** 50 }), freeBytes: integer({ min: 0, max: 2 ** 50 }) }), {
    maxLength: 3,
  }),
  diskReadBytesPerS: u64,
  diskWriteBytesPerS: u64,
  netRxBytesPerS: u64,
  netTxBytesPerS: u64,
});

const request = (gpuSamples: GpuSample[], hostSamples: HostSample[]): ExportRequest =>
  ExportRequest.fromPartial({ agentId: 'agent-1', batchSeq: 7, host: { hostname: 'h\u00e9\\st' }, gpuSamples, hostSamples });

describe('toRows', () => {
  it('writes gpu_samples and host_samples lines exactly as JSON.stringify wrote the row objects when samples are generated', () => {
    fcAssert(
      property(array(gpuArb, { maxLength: 6 }), array(hostArb, { maxLength: 3 }), (gpus, hosts) => {
        const valid = gpus.filter((g) => g.uuid !== '' || g.name !== '');
        const { rows } = toRows('ten"ant', request(valid, hosts), NOW);
        expect(rows.gpu_samples.toString('utf8')).toBe(valid.map((g) => `${JSON.stringify(gpuObject(g))}\n`).join(''));
        expect(rows.host_samples.toString('utf8')).toBe(hosts.map((h) => `${JSON.stringify(hostObject(h))}\n`).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a ratio out of range and a timestamp in the future when converting', () => {
    const g = { tsUnixMs: NOW, index: 0, uuid: 'GPU-1', name: 'x' };
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, utilizationGpuRatio: 1.6 })], []), NOW)).toThrow(/ratio out of range/);
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, tsUnixMs: NOW + 3_600_000 })], []), NOW)).toThrow(/future/);
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, uuid: '', name: '' })], []), NOW)).toThrow(/both empty/);
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, intervalMs: 3_600_001 })], []), NOW)).toThrow(/interval_ms/);
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, energyDeltaJoules: -1 })], []), NOW)).toThrow(/energy_delta_joules/);
    expect(() => toRows('t', request([GpuSample.fromPartial({ ...g, energyDeltaJoules: Number.NaN })], []), NOW)).toThrow(/energy_delta_joules/);
    expect(() => toRows('t', request([], [HostSample.fromPartial({ tsUnixMs: NOW, cpuRatio: -0.1 })]), NOW)).toThrow(/cpu_ratio/);
  });
});
