import { describe, expect, it } from 'vitest';
import { smallestFittingTier, whatIf } from './tiers.js';

const GiB = 1024 ** 3;
const TIERS = [16, 24, 32, 48, 80];

describe('capacity tiers', () => {
  it.each([
    [14.4e9, 16],
    [14.5e9, 24],
    [21.6e9, 24],
    [21.7e9, 32],
    [72e9, 80],
    [72.1e9, null],
    [null, null],
  ])('peak %s fits tier %s with 10%% headroom', (peak, tier) => expect(smallestFittingTier(peak, TIERS)).toBe(tier));

  it('bounds the share of jobs that would have fit from the percentiles', () => {
    const w = {
      model: 'm',
      runtime: 'comfyui',
      width: 1024,
      height: 1024,
      jobs: 1000,
      vram_peak_p50_bytes: 10 * GiB,
      vram_peak_p90_bytes: 15 * GiB,
      vram_peak_p99_bytes: 30 * GiB,
      fits_tier_gb: 48,
    };
    expect(whatIf(w, 48).atLeastJobs).toBe(990);
    expect(whatIf(w, 24).atLeastJobs).toBe(900);
    // 16 GB leaves 14.4 GB usable: the p90 (15 GiB) no longer fits, the median does
    expect(whatIf(w, 16).atLeastJobs).toBe(500);
    expect(whatIf({ ...w, vram_peak_p50_bytes: 20 * GiB, vram_peak_p90_bytes: 20 * GiB }, 16).atLeastShare).toBe(0);
  });
});
