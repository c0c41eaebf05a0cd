// The demo's hot rack must read as a slow burn of the thermal-throttle SLO (a ticket, never a page,
// never "ok"), whatever day the demo starts: docs/slos.md's burn windows over the story's samples,
// counted the way the SLO counts them (busy = utilization ≥ 10%, bad = a thermal clock-event reason).
import { CLOCK_EVENT_REASON_BITS } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { demoFleetSpecs } from './demo-fleet.js';
import { generateChunk } from './history.js';

const H = 3600_000;
const THERMAL = CLOCK_EVENT_REASON_BITS.sw_thermal_slowdown | CLOCK_EVENT_REASON_BITS.hw_thermal_slowdown;
const WINDOWS_H = { '30m': 0.5, '6h': 6, '3d': 72 } as const;
type Win = keyof typeof WINDOWS_H;

/** Burn rates (bad share ÷ the 2% budget) of the fleet's last 3 days ending at `endMs`, and the hot GPUs' throttled share of their busy samples. */
function burns(endMs: number): { burn: Record<Win, number>; hotShare: number } {
  const counts = { '30m': [0, 0], '6h': [0, 0], '3d': [0, 0] } as Record<Win, [number, number]>;
  const hot = { busy: 0, bad: 0 };
  for (const spec of demoFleetSpecs()) {
    for (let c = 0; c < 12; c++) {
      const toMs = endMs - c * 6 * H;
      const chunk = generateChunk({ spec, endMs, fromMs: toMs - 6 * H, toMs, sampleIntervalMs: 120_000, seed: 42 });
      for (const g of chunk.samples.flatMap((s) => s.gpus)) {
        if ((g.utilization_gpu_ratio ?? 0) < 0.1) continue;
        const bad = ((g.clock_event_reasons_mask ?? 0) & THERMAL) !== 0;
        for (const w of Object.keys(WINDOWS_H) as Win[]) {
          if (g.ts_unix_ms < endMs - WINDOWS_H[w] * H) continue;
          counts[w][0]++;
          if (bad) counts[w][1]++;
        }
        if (spec.story.coolingFailedHoursAgo !== undefined && g.ts_unix_ms >= endMs - 24 * H) {
          hot.busy++;
          if (bad) hot.bad++;
        }
      }
    }
  }
  const burn = {} as Record<Win, number>;
  for (const w of Object.keys(WINDOWS_H) as Win[]) burn[w] = counts[w][1] / counts[w][0] / 0.02;
  return { burn, hotShare: hot.bad / Math.max(1, hot.busy) };
}

describe('the demo story burns the thermal-throttle budget slowly', () => {
  it.each([Date.UTC(2026, 11, 8, 15, 2), Date.UTC(2026, 11, 10, 21, 47)])(
    'ending at %i: a ticket (6 h and 3 d burn ≥ 1) and no page (6 h burn < 6)',
    (endMs) => {
      const { burn, hotShare } = burns(endMs);
      expect(burn['3d']).toBeGreaterThanOrEqual(1.2);
      expect(burn['6h']).toBeGreaterThanOrEqual(2);
      expect(burn['6h']).toBeLessThan(5.2);
      // a hot card throttles on and off as it holds its slowdown temperature, not on every busy sample
      expect(hotShare).toBeGreaterThan(0.25);
      expect(hotShare).toBeLessThan(0.75);
    },
  );
});
