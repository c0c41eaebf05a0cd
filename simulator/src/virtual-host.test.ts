import { describe, expect, it } from 'vitest';
import { fleetSpecs } from './fleet.js';
import { createRng } from './rng.js';
import { createVirtualHost } from './virtual-host.js';

describe('virtual host energy counter', () => {
  it('grows by the power drawn times the time between ticks, per GPU', () => {
    const [spec] = fleetSpecs(1, 3);
    if (spec === undefined) throw new Error('no spec');
    const t0 = 1_700_000_000_000;
    const vh = createVirtualHost(spec, createRng(3), t0);
    let prev = vh.step(t0 + 1000).gpus;
    for (let i = 2; i <= 120; i++) {
      const cur = vh.step(t0 + i * 1000).gpus;
      for (const g of cur) {
        const before = prev.find((p) => p.uuid === g.uuid);
        // Both readings and the power are there (a missing one must fail, not count as 0), and the
        // counter grew by one second at this tick's power, give or take the rounding of both readings.
        expect(typeof g.energy_joules, g.uuid).toBe('number');
        expect(typeof before?.energy_joules, g.uuid).toBe('number');
        expect(g.power_draw_watts, g.uuid).toBeGreaterThan(0);
        const grew = (g.energy_joules as number) - (before?.energy_joules as number);
        expect(Math.abs(grew - (g.power_draw_watts as number))).toBeLessThanOrEqual(1.01);
      }
      prev = cur;
    }
    expect(prev.length).toBe(spec.gpuCount);
  });
});
