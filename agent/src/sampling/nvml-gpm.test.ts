// GPM (NVML GPU Performance Monitoring) through the real koffi FFI against the fake libnvidia-ml:
// the window between two samples, the unit conversions, MIG GPU instances and their profiles,
// GPUs without GPM, and the sample buffers (allocated once, freed on close).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../test/support/build-fake-nvml.js';
import { fakeNvmlControl, type FakeNvmlControl } from '../../test/support/fake-nvml-control.js';
import { createNvmlSampler, type NvmlSampler } from './nvml.js';
import { createGpmReader, type NvmlGpmLib } from './nvml-gpm.js';

let libPath: string;
let fake: FakeNvmlControl;
let sampler: NvmlSampler | undefined;
const MiB = 1048576;

function useScenario(name: string): void {
  process.env.FAKE_NVML_SCENARIO = FAKE_NVML_SCENARIOS + name;
}

beforeAll(() => {
  libPath = buildFakeNvml();
  fake = fakeNvmlControl(libPath);
});

afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
});

describe('GPM through NVML (h100-mig-gpm.json)', () => {
  it('serves the readings over the window between two samples, as ratios and bytes per second', async () => {
    useScenario('h100-mig-gpm.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false });
    const first = await sampler.sample();
    // One sample is no window: nothing yet.
    expect(first.gpus[0]?.peer?.gpm).toBeUndefined();
    fake.setTick(2);
    const second = await sampler.sample();
    // Means of the scenario's values over ticks 1 and 2: SM (76 + 58) / 2 = 67 %, PCIe TX (900 + 500) / 2 MiB/s.
    const gpm = second.gpus[0]?.peer?.gpm;
    expect(Object.keys(gpm ?? {}).sort()).toEqual(
      [
        'dram_activity_ratio',
        'fp16_activity_ratio',
        'fp32_activity_ratio',
        'fp64_activity_ratio',
        'graphics_activity_ratio',
        'pcie_rx_bytes_per_s',
        'pcie_tx_bytes_per_s',
        'sm_activity_ratio',
        'sm_occupancy_ratio',
        'tensor_activity_ratio',
      ].sort(),
    );
    expect(gpm?.graphics_activity_ratio).toBeCloseTo(0.7, 10);
    expect(gpm?.sm_activity_ratio).toBeCloseTo(0.67, 10);
    expect(gpm?.sm_occupancy_ratio).toBeCloseTo(0.355, 10);
    expect(gpm?.tensor_activity_ratio).toBeCloseTo(0.45, 10);
    expect(gpm?.dram_activity_ratio).toBeCloseTo(0.315, 10);
    expect(gpm?.fp64_activity_ratio).toBe(0);
    expect(gpm?.fp32_activity_ratio).toBeCloseTo(0.18, 10);
    expect(gpm?.fp16_activity_ratio).toBeCloseTo(0.05, 10);
    expect(gpm?.pcie_tx_bytes_per_s).toBe(700 * MiB);
    expect(gpm?.pcie_rx_bytes_per_s).toBe(2000 * MiB);
    // The next window is tick 3 only (3 % 3 = 0: idle).
    fake.setTick(3);
    const third = (await sampler.sample()).gpus[0]?.peer?.gpm;
    expect(third?.sm_activity_ratio).toBe(0);
    expect(third?.pcie_tx_bytes_per_s).toBe(10 * MiB);
  });

  it('reads each MIG GPU instance (nvmlGpmMigSampleGet) with its profile from the MIG device name', async () => {
    useScenario('h100-mig-gpm.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false });
    await sampler.sample();
    fake.setTick(2);
    const g = (await sampler.sample()).gpus[1];
    expect(g?.mig_enabled).toBe(true);
    // The MIG GPU answers no whole-GPU metric in this scenario ("gpm": {}): no empty object either.
    expect(g?.peer?.gpm).toBeUndefined();
    const migs = g?.mig_devices ?? [];
    expect(migs.map((m) => [m.gpu_instance_id, m.profile, m.memory_total_bytes])).toEqual([
      [2, '3g.40gb', 40448 * MiB],
      [3, '1c.2g.20gb', 20096 * MiB],
      [3, '1c.2g.20gb', 20096 * MiB],
      [9, '1g.10gb', 9984 * MiB],
      [10, '1g.10gb', 9984 * MiB],
    ]);
    // GI 2 over ticks 1-2: graphics (90 + 70) / 2 = 80 %, tensor (70 + 50) / 2 = 60 %, PCIe TX (300 + 100) / 2 MiB/s.
    expect(migs[0]?.gpm?.graphics_activity_ratio).toBeCloseTo(0.8, 10);
    expect(migs[0]?.gpm?.sm_activity_ratio).toBeCloseTo(0.77, 10);
    expect(migs[0]?.gpm?.sm_occupancy_ratio).toBeCloseTo(0.4, 10);
    expect(migs[0]?.gpm?.tensor_activity_ratio).toBeCloseTo(0.6, 10);
    expect(migs[0]?.gpm?.pcie_tx_bytes_per_s).toBe(200 * MiB);
    expect(migs[0]?.gpm?.pcie_rx_bytes_per_s).toBe(800 * MiB);
    // GI 3 hosts two compute instances: one GPM window per GPU instance and sample, (30 + 10) / 2 % for
    // both (a second sample in the same tick would have given the tick-2 value, 10 %).
    expect(migs[1]?.gpm?.sm_activity_ratio).toBeCloseTo(0.2, 10);
    expect(migs[2]?.gpm).toEqual(migs[1]?.gpm);
    expect(migs[3]?.gpm?.sm_activity_ratio).toBeCloseTo(0.24, 10);
    // No FP pipe metrics in the instances' scenario: absent, not zero.
    expect(migs[0]?.gpm).not.toHaveProperty('fp32_activity_ratio');
  });

  it('allocates the sample buffers once (2 per GPU and per GPU instance) and frees them on close', async () => {
    useScenario('h100-mig-gpm.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false });
    for (let t = 1; t <= 5; t++) {
      fake.setTick(t);
      await sampler.sample();
      // GPU 0, GPU 1 (whole) and GPU 1's four GPU instances.
      expect(fake.gpmSamplesAllocated()).toBe(12);
    }
    await sampler.close();
    sampler = undefined;
    expect(fake.gpmSamplesAllocated()).toBe(0);
  });

  it('asks nothing of GPUs without GPM (eight-gpus.json) and nothing when switched off', async () => {
    useScenario('eight-gpus.json');
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false });
    await sampler.sample();
    fake.setTick(1);
    const { gpus } = await sampler.sample();
    expect(gpus.map((g) => g.peer?.gpm)).toEqual(Array.from({ length: 8 }, () => undefined));
    expect(fake.gpmSamplesAllocated()).toBe(0);
    // Not one NVML call more per sample than with GPM switched off (support and NVLink asked once, at start).
    const perSample = async (s: NvmlSampler): Promise<number> => {
      const before = fake.callCount();
      await s.sample();
      return fake.callCount() - before;
    };
    const withGpm = await perSample(sampler);
    await sampler.close();
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false, gpm: false });
    await sampler.sample();
    expect(withGpm).toBe(await perSample(sampler));
    await sampler.close();

    useScenario('h100-mig-gpm.json');
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false, gpm: false });
    await sampler.sample();
    fake.setTick(2);
    const off = await sampler.sample();
    expect(off.gpus[0]?.peer?.gpm).toBeUndefined();
    expect(off.gpus[1]?.mig_devices?.[0]?.gpm).toBeUndefined();
    expect(fake.gpmSamplesAllocated()).toBe(0);
  });
});

function stub(): { lib: NvmlGpmLib; live: Set<bigint>; gets: number[] } {
  const live = new Set<bigint>();
  const gets: number[] = [];
  let next = 1n;
  return {
    live,
    gets,
    lib: {
      supported: () => ({ ok: true, value: true }),
      sampleAlloc: () => {
        live.add(next);
        return { ok: true, value: next++ };
      },
      sampleFree: (s) => (live.delete(s) ? 0 : 2),
      sampleGet: (_h, _s, gi) => {
        gets.push(gi ?? -1);
        return 0;
      },
      metricsGet: () => 0,
    },
  };
}

describe('createGpmReader (a stub GPM library that counts buffers)', () => {
  it('frees the two buffers of a GPU instance that is gone and keeps the others', () => {
    const s = stub();
    const r = createGpmReader(s.lib);
    r.read('0', 1n);
    r.read('0/2', 1n, 2);
    r.read('0/9', 1n, 9);
    expect(s.live.size).toBe(6);
    expect(s.gets).toEqual([-1, 2, 9]);
    r.retain((k) => k !== '0/9');
    expect(s.live.size).toBe(4);
    r.close();
    expect(s.live.size).toBe(0);
  });
});
