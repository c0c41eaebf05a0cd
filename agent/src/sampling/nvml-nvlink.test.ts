// NVLink through the real koffi FFI against the fake libnvidia-ml: active links from
// nvmlDeviceGetNvLinkState, the raw throughput counters of all links (scopeId 0xFFFFFFFF) and the
// rate between two samples. h100-mig-gpm.json: GPU 0 has 18 active links, GPU 1 none.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../test/support/build-fake-nvml.js';
import { fakeNvmlControl, type FakeNvmlControl } from '../../test/support/fake-nvml-control.js';
import { createNvmlSampler, type NvmlSampler } from './nvml.js';
import { nvlinkReadings } from './nvml-nvlink.js';

let libPath: string;
let fake: FakeNvmlControl;
let sampler: NvmlSampler | undefined;

beforeAll(() => {
  libPath = buildFakeNvml();
  fake = fakeNvmlControl(libPath);
});

afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
});

describe('NVLink through NVML', () => {
  it('counts the active links and turns the all-links counters into bytes and a rate', async () => {
    process.env.FAKE_NVML_SCENARIO = `${FAKE_NVML_SCENARIOS}h100-mig-gpm.json`;
    let clock = 1_000_000;
    fake.setTick(0);
    sampler = createNvmlSampler({ libPath, watchXid: false, pcie: false, gpm: false, now: () => clock });
    const first = (await sampler.sample()).gpus;
    // Tick 0: RAW_TX 1 000 000 KiB, RAW_RX 2 000 000 KiB (the sum of all 18 links, not link 0's share).
    expect(first[0]?.peer?.nvlink).toEqual({ links_active: 18, raw_tx_bytes_total: 1_000_000 * 1024, raw_rx_bytes_total: 2_000_000 * 1024 });
    expect(first[1]?.peer?.nvlink).toBeUndefined();
    fake.setTick(1);
    clock += 2000;
    const second = (await sampler.sample()).gpus[0]?.peer?.nvlink;
    // (100 000 + 50 000) KiB in 2 s = 76 800 000 B/s.
    expect(second?.raw_bytes_per_s).toBe(76_800_000);
    // Tick 3 wraps the scenario back to tick 0's counters, as after a driver reload: no rate.
    fake.setTick(3);
    clock += 1000;
    const third = (await sampler.sample()).gpus[0]?.peer?.nvlink;
    expect(third).toEqual({ links_active: 18, raw_tx_bytes_total: 1_000_000 * 1024, raw_rx_bytes_total: 2_000_000 * 1024 });
  });

  it('has no rate without time passing or without both counters', () => {
    const ok = [
      { ok: true, value: 10 },
      { ok: true, value: 20 },
    ] as const;
    const prev = { tsMs: 5, txBytes: 0, rxBytes: 0 };
    expect(nvlinkReadings(4, ok, 5, prev).readings.raw_bytes_per_s).toBeUndefined();
    expect(nvlinkReadings(4, ok, 1005, prev).readings.raw_bytes_per_s).toBe(30 * 1024);
    const half = nvlinkReadings(
      4,
      [
        { ok: true, value: 10 },
        { ok: false, rc: 3 },
      ],
      1005,
      prev,
    );
    expect(half).toEqual({ readings: { links_active: 4 }, keep: undefined });
  });
});
