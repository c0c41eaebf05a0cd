// The model-download cause of a slowdown (docs/signals.md "Model downloads"), worked out by hand.
import type { SlowdownWindow } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { slowdownReasons } from './slowdowns.js';

const quiet: SlowdownWindow = {
  images_per_min: 1,
  thermal_share: null,
  power_share: null,
  cache_miss_ratio: null,
  other_process_share: null,
  disk_read_bytes_per_s: null,
  net_rx_bytes_per_s: null,
  model_downloads: 0,
  model_download_s: 0,
  model_download_bytes_per_s: null,
};

describe('slowdownReasons: model download', () => {
  it('names a download that took at least 1% of the window, with its MB/s', () => {
    // 12 GB at 8 MB/s = 1500 s of a 3600 s window: 41.7%
    const cur = { ...quiet, model_downloads: 1, model_download_s: 1500, model_download_bytes_per_s: 8e6 };
    expect(slowdownReasons(cur, quiet, 3600)).toEqual([
      { reason: 'model_download', detail: 'model download: 1 download at 8 MB/s, 1500 s downloading (41.7% of the window)' },
    ]);
  });

  it('under 1% of the window is not a cause; a download without a size says so', () => {
    expect(slowdownReasons({ ...quiet, model_downloads: 1, model_download_s: 35.9 }, quiet, 3600)).toEqual([]);
    expect(slowdownReasons({ ...quiet, model_downloads: 3, model_download_s: 36 }, quiet, 3600)).toEqual([
      { reason: 'model_download', detail: 'model download: 3 downloads (size not reported), 36 s downloading (1% of the window)' },
    ]);
  });

  it('ranks by weight: share of the window downloading against how much worse the other signals got', () => {
    const cur = { ...quiet, thermal_share: 0.3, model_downloads: 1, model_download_s: 1800, model_download_bytes_per_s: 2.5e7 };
    expect(slowdownReasons(cur, { ...quiet, thermal_share: 0 }, 3600).map((r) => r.reason)).toEqual(['model_download', 'thermal_throttle']);
  });
});
