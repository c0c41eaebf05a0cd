import { describe, expect, it } from 'vitest';
import type { ExportRequest } from '@renderwatch/proto';
import type { GpuSnapshot } from '../sampling/sampler.js';
import { createBatcher } from './batcher.js';
import { createGpuIncrements } from './gpu-increments.js';

const T = 1_700_000_000_000;
const gpu = (uuid: string, sec: number, energy?: number): GpuSnapshot => ({
  ts_unix_ms: T + sec * 1000,
  index: 0,
  uuid,
  ...(energy === undefined ? {} : { energy_joules: energy }),
});

describe('createGpuIncrements', () => {
  it('gives the sampling interval to the first sample, then the elapsed time capped at 3 intervals', () => {
    const inc = createGpuIncrements(1000);
    expect(inc(gpu('a', 0)).interval_ms).toBe(1000);
    expect(inc(gpu('a', 1)).interval_ms).toBe(1000);
    expect(inc(gpu('a', 3)).interval_ms).toBe(2000); // a skipped tick: a slow source
    expect(inc(gpu('a', 63)).interval_ms).toBe(3000); // a minute's gap counts 3 intervals
    expect(inc(gpu('a', 62)).interval_ms).toBe(0); // a clock step back never counts negative
  });

  it('counts energy as the counter increase, the new reading after a reset, nothing on the first sample', () => {
    const inc = createGpuIncrements(1000);
    expect(inc(gpu('a', 0, 1_000_000)).energy_delta_joules).toBeUndefined();
    expect(inc(gpu('a', 1, 1_000_250.5)).energy_delta_joules).toBe(250.5);
    expect(inc(gpu('a', 2, 120)).energy_delta_joules).toBe(120); // driver reload: counter restarted near 0
    expect(inc(gpu('a', 3, 370)).energy_delta_joules).toBe(250);
    expect(inc(gpu('a', 4)).energy_delta_joules).toBeUndefined(); // a reading without the counter
    expect(inc(gpu('a', 5, 600)).energy_delta_joules).toBeUndefined(); // ... breaks the chain once
    expect(inc(gpu('a', 6, 650)).energy_delta_joules).toBe(50);
  });

  it('keeps GPUs apart by uuid', () => {
    const inc = createGpuIncrements(2000);
    inc(gpu('a', 0, 100));
    expect(inc(gpu('b', 1, 5000))).toEqual({ interval_ms: 2000 });
    expect(inc(gpu('a', 2, 300))).toEqual({ interval_ms: 2000, energy_delta_joules: 200 });
  });
});

describe('batcher GPU increments', () => {
  it('puts interval_ms and energy_delta_joules on the wire samples, across batches', () => {
    const out: ExportRequest[] = [];
    const host = { hostname: 'h', driverVersion: '', cudaVersion: '', agentVersion: '0', labels: {} };
    const b = createBatcher({ agentId: 'a', host, firstSeq: 1, maxRows: 2, flushIntervalMs: 60_000, sampleIntervalMs: 5000, deliver: (r) => out.push(r) });
    for (let i = 0; i < 4; i++) b.addGpus([gpu('g', i * 5, 1000 + 400 * i)]);
    b.flush();
    const wire = out.flatMap((r) => r.gpuSamples);
    expect(out).toHaveLength(2);
    expect(wire.map((w) => w.intervalMs)).toEqual([5000, 5000, 5000, 5000]);
    expect(wire.map((w) => w.energyDeltaJoules)).toEqual([undefined, 400, 400, 400]);
  });
});
