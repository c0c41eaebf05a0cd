import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../test/support/build-fake-nvml.js';
import { fakeNvmlControl, type FakeNvmlControl } from '../../test/support/fake-nvml-control.js';
import type { AgentError } from '../errors.js';
import { NvmlError } from './nvml-errors.js';
import { createNvmlSampler, type NvmlSampler } from './nvml.js';
import type { GpuStatusChange } from './sampler.js';

let libPath: string;
let fake: FakeNvmlControl;
let sampler: NvmlSampler | undefined;
const MiB = 1048576;

function useScenario(name: string): void {
  process.env.FAKE_NVML_SCENARIO = FAKE_NVML_SCENARIOS + name;
}

/** A pino logger whose lines are collected for assertions. */
function captureLog(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

beforeAll(() => {
  libPath = buildFakeNvml();
  fake = fakeNvmlControl(libPath);
});

afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
});

describe('createNvmlSampler (real koffi FFI against the fake libnvidia-ml)', () => {
  it('samples 8 GPUs with concrete values and decoded throttle reasons', async () => {
    useScenario('eight-gpus.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: true });
    expect(sampler.gpuCount).toBe(8);
    fake.setTick(1);
    const { gpus, status } = await sampler.sample();
    expect(status).toEqual([]);
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-fake0000-0000-0000-0000-000000000000',
      name: 'NVIDIA H100 80GB HBM3',
      driver_version: '590.48.01',
      cuda_version: '13.1',
      pci_bus_id: '00000000:18:00.0',
      utilization_gpu_ratio: 1,
      utilization_memory_ratio: 0.11,
      memory_used_bytes: 19818 * MiB,
      memory_total_bytes: 81559 * MiB,
      memory_reserved_bytes: 479 * MiB,
      temperature_celsius: 59,
      power_draw_watts: 631.95,
      power_limit_watts: 700,
      energy_joules: 1500,
      sm_clock_mhz: 1980,
      sm_clock_max_mhz: 1980,
      memory_clock_mhz: 2619,
      clock_event_reasons: [],
      pcie_rx_bytes_per_s: 250000 * 1024,
      ecc_corrected_total: 0,
      mig_enabled: false,
      processes: [{ pid: 11345, used_memory_bytes: 15690 * MiB }],
    });
    expect(gpus[0]).not.toHaveProperty('fan_ratio');
    fake.setTick(2);
    const next = await sampler.sample();
    expect(next.gpus[0]?.clock_event_reasons).toEqual(['sw_power_cap']);
    expect(next.gpus[1]?.clock_event_reasons).toEqual(['hw_thermal_slowdown']);
    expect(next.gpus[3]).toMatchObject({ temperature_celsius: 73, throttle_thermal_us: 6000, throttle_power_us: 5000 });
  });

  it('counts XID events per GPU and code without blocking the event loop', async () => {
    useScenario('eight-gpus.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, xidWaitMs: 300 });
    // No XID is due at tick 0: the wait sits in nvmlEventSetWait_v2 on a worker thread meanwhile.
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    await new Promise((r) => setTimeout(r, 150));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(10);
    fake.setTick(2);
    const statuses: GpuStatusChange[] = [];
    for (let i = 0; i < 40 && statuses.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      statuses.push(...(await sampler.sample()).status);
    }
    expect(
      statuses
        .filter((s) => s.status === 'xid')
        .map((s) => [s.gpu_index, s.xid])
        .sort(),
    ).toEqual([
      [2, 79],
      [5, 13],
      [5, 13],
    ]);
    expect(sampler.xidCounts().get('GPU-fake0000-0000-0000-0000-000000000005')?.get(13)).toBe(2);
    expect(sampler.xidCounts().get('GPU-fake0000-0000-0000-0000-000000000002')?.get(79)).toBe(1);
    // Counted once: later samples do not repeat them.
    expect((await sampler.sample()).status).toEqual([]);
  });

  it('reports a lost GPU once, keeps sampling the others, and reports its recovery', async () => {
    useScenario('gpu-lost.json');
    fake.setTick(0);
    const { log, lines } = captureLog();
    let counted = 0;
    sampler = createNvmlSampler({ libPath, log, watchXid: false, counter: { inc: () => (counted += 1) }, intervalMs: 60_000 });
    expect((await sampler.sample()).gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    fake.setTick(2);
    const lost = await sampler.sample();
    expect(lost.gpus.map((g) => g.index)).toEqual([0, 2]);
    expect(lost.gpus[1]).toMatchObject({ temperature_celsius: 52, memory_used_bytes: 3000 * MiB });
    expect(lost.status).toEqual([expect.objectContaining({ gpu_index: 1, gpu_uuid: 'GPU-lost-1', status: 'lost' })]);
    expect(lost.status[0]?.detail).toContain('NVML_ERROR_GPU_IS_LOST');
    fake.setTick(3);
    const still = await sampler.sample();
    expect(still.gpus.map((g) => g.index)).toEqual([0, 2]);
    expect(still.status).toEqual([]);
    fake.setTick(4);
    const back = await sampler.sample();
    expect(back.gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(back.status).toEqual([expect.objectContaining({ gpu_index: 1, status: 'recovered' })]);
    expect(counted).toBe(1);
    expect(lines.filter((l) => l.msg === 'gpu lost')).toHaveLength(1);
  });

  it('leaves NOT_SUPPORTED fields absent without errors, log lines or repeated calls', async () => {
    useScenario('not-supported.json');
    fake.setTick(0);
    const { log, lines } = captureLog();
    sampler = createNvmlSampler({ libPath, log, pcie: true });
    const first = await sampler.sample();
    const g = first.gpus[0];
    expect(g).toMatchObject({ name: 'NVIDIA GeForce RTX 4090', temperature_celsius: 40, memory_used_bytes: 2 * MiB, power_limit_watts: 450, fan_ratio: 0 });
    for (const k of ['ecc_corrected_total', 'energy_joules', 'processes', 'throttle_power_us', 'memory_reserved_bytes', 'mig_enabled', 'pcie_tx_bytes_per_s']) {
      expect(g).not.toHaveProperty(k);
    }
    const callsAfterFirst = fake.callCount();
    await sampler.sample();
    const perSample = fake.callCount() - callsAfterFirst;
    await sampler.sample();
    expect(fake.callCount() - callsAfterFirst).toBe(2 * perSample);
    // memory (v2 unsupported, then v1) 2, utilization, temperature, power, limit, SM + memory clocks,
    // reasons, fan, field values, pstate, compute mode, minor, graphics + max + video clocks, encoder,
    // decoder, PCIe replays = 20; the 12 unsupported reads (ECC x4, energy, processes, violation x2,
    // MIG, PCIe, remapped rows, NVLink fabric) are not asked again.
    expect(perSample).toBe(20);
    expect(sampler.failures).toBe(0);
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('reads PCIe throughput by default, the driver clock-event counters and the peer readings (issue 16)', async () => {
    useScenario('eight-gpus.json');
    sampler = createNvmlSampler({ libPath, watchXid: false });
    fake.setTick(2);
    const { gpus } = await sampler.sample();
    // eight-gpus.json: pcie_tx_kbs 1000, pcie_rx_kbs 250000 (KB/s = 1024 B/s).
    expect(gpus[0]).toMatchObject({ pcie_tx_bytes_per_s: 1000 * 1024, pcie_rx_bytes_per_s: 250000 * 1024 });
    // field 74 (sw_power_cap) = violation_power_ns[2] = 5 000 000 ns; field 252 on GPU 1 = 2 000 000 ns.
    expect(gpus[0]?.clock_event_reason_counters_us).toEqual({
      sw_power_cap: 5000,
      sync_boost: 0,
      sw_thermal_slowdown: 0,
      hw_thermal_slowdown: 0,
      hw_power_brake_slowdown: 0,
    });
    expect(gpus[1]?.clock_event_reason_counters_us?.hw_thermal_slowdown).toBe(2000);
    expect(gpus[0]?.peer).toEqual({
      pstate: 0,
      compute_mode: 0,
      minor_number: 0,
      graphics_clock_mhz: 1755,
      graphics_clock_max_mhz: 1980,
      video_clock_mhz: 1755,
      encoder_utilization_ratio: 0,
      decoder_utilization_ratio: 0.05,
      memory_temperature_celsius: 61,
      pcie_replays_total: 2,
      remapped_rows_correctable: 0,
      remapped_rows_uncorrectable: 0,
      remapped_rows_pending: false,
      remapped_rows_failure: false,
      ecc_corrected_aggregate_total: 3,
      ecc_uncorrected_aggregate_total: 0,
      recovery_action: 0,
      fabric_state: 3,
    });
    expect(gpus[7]?.peer?.minor_number).toBe(7);
  });

  it('reads PCIe throughput on every n-th sample only and carries the last reading in between', async () => {
    useScenario('eight-gpus.json');
    sampler = createNvmlSampler({ libPath, watchXid: false, pcieEverySamples: 3 });
    fake.setTick(2);
    const deltas: number[] = [];
    const rx: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const before = fake.callCount();
      const { gpus } = await sampler.sample();
      deltas.push(fake.callCount() - before);
      rx.push(gpus[7]?.pcie_rx_bytes_per_s);
    }
    // samples 0 and 3 read both directions of all 8 GPUs: 16 calls more than samples 1 and 2 (the
    // first sample also asks a few one-time questions, so sample 3 is the one compared).
    expect(deltas[3]! - deltas[1]!).toBe(16);
    expect(deltas[1]).toBe(deltas[2]);
    expect(deltas[0]).toBeGreaterThanOrEqual(deltas[3]!);
    expect(rx).toEqual([250000 * 1024, 250000 * 1024, 250000 * 1024, 250000 * 1024]);
  });

  it('reads MIG devices with their memory', async () => {
    useScenario('mig.json');
    sampler = createNvmlSampler({ libPath, watchXid: false });
    const [g] = (await sampler.sample()).gpus;
    expect(g?.mig_enabled).toBe(true);
    expect(g?.mig_devices).toEqual([
      { gpu_instance_id: 1, compute_instance_id: 0, uuid: 'MIG-aaaa', memory_used_bytes: 12 * MiB, memory_total_bytes: 19968 * MiB, memory_reserved_bytes: 0 },
      {
        gpu_instance_id: 2,
        compute_instance_id: 0,
        uuid: 'MIG-bbbb',
        memory_used_bytes: 4000 * MiB,
        memory_total_bytes: 19968 * MiB,
        memory_reserved_bytes: 0,
      },
    ]);
    expect(g).not.toHaveProperty('utilization_gpu_ratio');
  });

  it('throws a typed error when nvmlInit fails', () => {
    useScenario('init-fails.json');
    let caught: unknown;
    try {
      createNvmlSampler({ libPath });
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NvmlError);
    expect(caught).toMatchObject({ code: 'AGT_ERR_NVML_DRIVER_NOT_LOADED', nvmlReturn: 9, nvmlName: 'NVML_ERROR_DRIVER_NOT_LOADED' });
  });

  it('throws AGT_ERR_NVML_LIB_MISSING when the library cannot be loaded', () => {
    expect(() => createNvmlSampler({ libPath: '/nonexistent/libnvidia-ml.so.1' })).toThrowError(
      expect.objectContaining({ code: 'AGT_ERR_NVML_LIB_MISSING' }) as AgentError,
    );
  });
});
