import { describe, expect, it } from 'vitest';
import { createThrottleAccounting } from './throttle.js';

const base = { index: 0, uuid: 'GPU-a' };

describe('createThrottleAccounting', () => {
  it('credits sample intervals to the active reasons when there are no counters', () => {
    const t = createThrottleAccounting();
    t.update({ ...base, ts_unix_ms: 0, clock_event_reasons: ['gpu_idle'] });
    t.update({ ...base, ts_unix_ms: 1000, clock_event_reasons: ['sw_power_cap', 'hw_thermal_slowdown'] });
    t.update({ ...base, ts_unix_ms: 2500, clock_event_reasons_mask: 0x40 });
    expect(t.seconds('GPU-a')).toMatchObject({ sw_power_cap: 1, hw_thermal_slowdown: 2.5, gpu_idle: 0 });
  });

  it('uses the driver µs counters where present, catching throttling between samples', () => {
    const t = createThrottleAccounting();
    t.update({ ...base, ts_unix_ms: 0, clock_event_reasons: [], clock_event_reason_counters_us: { sw_power_cap: 204642816 } });
    // No reason active at sampling time, but the counter moved 0.75 s.
    t.update({ ...base, ts_unix_ms: 1000, clock_event_reasons: [], clock_event_reason_counters_us: { sw_power_cap: 205392816 } });
    expect(t.seconds('GPU-a').sw_power_cap).toBeCloseTo(0.75);
  });

  it('ignores counter resets and long gaps', () => {
    const t = createThrottleAccounting({ maxGapMs: 5000 });
    t.update({ ...base, ts_unix_ms: 0, clock_event_reason_counters_us: { sw_power_cap: 5_000_000 }, clock_event_reasons: ['hw_slowdown'] });
    t.update({ ...base, ts_unix_ms: 1000, clock_event_reason_counters_us: { sw_power_cap: 10 }, clock_event_reasons: ['hw_slowdown'] });
    t.update({ ...base, ts_unix_ms: 600_000, clock_event_reason_counters_us: { sw_power_cap: 20 }, clock_event_reasons: ['hw_slowdown'] });
    expect(t.seconds('GPU-a')).toMatchObject({ sw_power_cap: 0.00001, hw_slowdown: 1 });
  });
});
