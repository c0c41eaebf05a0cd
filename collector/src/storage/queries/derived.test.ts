import type { GpuSeries, SlowdownWindow } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { fitsTier } from './capacity.js';
import { throttleBands } from './host-series.js';
import { tierOf } from './ooms.js';
import { slowdownReasons } from './slowdowns.js';

const GiB = 1024 ** 3;

describe('tiers', () => {
  it.each([
    [15.5 * GiB, 16],
    [23.6 * GiB, 24],
    [44.99 * GiB, 48],
    [79.2 * GiB, 80],
    [96 * GiB, null],
    [null, null],
  ])('tierOf(%s) = %s', (total, tier) => expect(tierOf(total)).toBe(tier));
  it.each([
    [14e9, 16],
    [14.5e9, 24],
    [21.6e9, 24],
    [21.7e9, 32],
    [72e9, 80],
    [73e9, null],
    [null, null],
  ])('fitsTier(%s) = %s (10%% headroom)', (peak, tier) => expect(fitsTier(peak)).toBe(tier));
});

function point(t: string, thermal: number): GpuSeries['points'][number] {
  return {
    t,
    utilization_ratio: 1,
    utilization_max_ratio: 1,
    memory_used_bytes: null,
    memory_used_max_bytes: null,
    memory_total_bytes: null,
    temperature_celsius: null,
    temperature_max_celsius: null,
    power_draw_watts: null,
    sm_clock_mhz: null,
    mem_clock_mhz: null,
    thermal_share: thermal,
    power_share: 0,
    hw_slowdown_share: null,
  };
}

describe('throttleBands', () => {
  it('merges consecutive buckets, splits on a gap or a zero, keeps the peak', () => {
    const g: GpuSeries = {
      uuid: 'G',
      index: 0,
      name: 'n',
      points: [point('2026-01-01T00:00:00Z', 0.2), point('2026-01-01T00:01:00Z', 0.6), point('2026-01-01T00:02:00Z', 0), point('2026-01-01T00:05:00Z', 0.1)],
    };
    expect(throttleBands([g], 60)).toEqual([
      { gpu_uuid: 'G', reason: 'thermal', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:02:00.000Z', peak_share: 0.6 },
      { gpu_uuid: 'G', reason: 'thermal', from: '2026-01-01T00:05:00Z', to: '2026-01-01T00:06:00.000Z', peak_share: 0.1 },
    ]);
  });
});

const W = (o: Partial<SlowdownWindow>): SlowdownWindow => ({
  images_per_min: 10,
  thermal_share: 0,
  power_share: 0,
  cache_miss_ratio: 0,
  other_process_share: 0,
  disk_read_bytes_per_s: 5e8,
  net_rx_bytes_per_s: 1e8,
  ...o,
});

describe('slowdownReasons', () => {
  it('names the signals that got clearly worse, strongest first', () => {
    const r = slowdownReasons(W({ thermal_share: 0.3, cache_miss_ratio: 0.5, disk_read_bytes_per_s: 1e8 }), W({ thermal_share: 0.01, cache_miss_ratio: 0.05 }));
    expect(r.map((x) => x.reason)).toEqual(['slow_disk', 'model_cache_misses', 'thermal_throttle']);
    expect(r[2]?.detail).toBe('busy time thermally throttled 30% vs 1% in the baseline');
  });
  it('finds nothing when the window looks like the baseline', () => {
    expect(slowdownReasons(W({ thermal_share: 0.011 }), W({ thermal_share: 0.01 }))).toEqual([]);
  });
});
