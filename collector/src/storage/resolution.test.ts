import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { defaultRangeEndMs, rangeEndMs, resolveRange, resolveWindow, type RangeLimits } from './resolution.js';

const NOW = Date.parse('2026-03-10T12:34:56Z');
const LIMITS: RangeLimits = { maxRangeDays: 400, maxPoints: 2000, rawRetentionDays: 7, rollup1mRetentionDays: 35 };
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString();

describe('resolveRange', () => {
  it.each([
    // [range, step, expected resolution, expected step, table]
    ['1 h default step', 3600, undefined, 'raw', 15, 'gpu_samples'],
    ['24 h default step', 86400, undefined, '1m', 600, 'gpu_1m'],
    ['7 d default step', 7 * 86400, undefined, '1h', 3600, 'gpu_1h'],
    ['30 d default step', 30 * 86400, undefined, '1h', 10800, 'gpu_1h'],
    ['1 h at 90 s rounds to 2 min', 3600, 90, '1m', 120, 'gpu_1m'],
    ['24 h at 5400 s rounds to 2 h', 86400, 5400, '1h', 7200, 'gpu_1h'],
  ] as const)('%s', (_name, rangeS, step, resolution, stepS, table) => {
    const r = resolveRange({ from: ago(rangeS), to: ago(0), step_s: step }, NOW, LIMITS);
    expect([r.resolution, r.stepS, r.table('gpu')]).toEqual([resolution, stepS, table]);
  });

  it('uses a rollup when raw rows of the range are past retention', () => {
    const r = resolveRange({ from: ago(10 * 86400), to: ago(10 * 86400 - 600), step_s: 10 }, NOW, LIMITS);
    expect([r.resolution, r.stepS]).toEqual(['1m', 60]);
    const old = resolveRange({ from: ago(50 * 86400), to: ago(50 * 86400 - 600), step_s: 10 }, NOW, LIMITS);
    expect([old.resolution, old.stepS, old.table('jobs')]).toEqual(['1h', 3600, 'jobs_1h']);
  });

  it.each([
    ['from after to', { from: ago(0), to: ago(60) }, 'COL_ERR_API_BAD_REQUEST'],
    ['range beyond the limit', { from: ago(401 * 86400), to: ago(0) }, 'COL_ERR_API_RANGE_TOO_LARGE'],
    ['too many points', { from: ago(86400), to: ago(0), step_s: 10 }, 'COL_ERR_API_RANGE_TOO_LARGE'],
  ])('refuses %s', (_n, q, code) => {
    let got = 'no error';
    try {
      resolveRange(q, NOW, LIMITS);
    } catch (err: unknown) {
      got = isAppError(err) ? err.code : String(err);
    }
    expect(got).toBe(code);
  });
});

describe('resolveWindow', () => {
  it.each([
    ['2 h → raw', 2 * 3600, 'raw', '2026-03-10T10:34:56.000Z', '2026-03-10T12:34:56.000Z'],
    ['24 h → 1m widened to whole minutes', 86400, '1m', '2026-03-09T12:34:00.000Z', '2026-03-10T12:35:00.000Z'],
    ['30 d → 1h widened to whole hours', 30 * 86400, '1h', '2026-02-08T12:00:00.000Z', '2026-03-10T13:00:00.000Z'],
  ] as const)('%s', (_n, rangeS, resolution, from, to) => {
    const r = resolveWindow({ from: ago(rangeS), to: ago(0) }, NOW, LIMITS);
    expect([r.resolution, r.from.toISOString(), r.to.toISOString()]).toEqual([resolution, from, to]);
  });
});

describe('an open-ended range', () => {
  // NOW is 12:34:56.000; an event stored at 12:34:56.700 is in ClickHouse as 12:34:56 (whole seconds)
  const now = NOW + 700;
  it('ends after the current second, so what arrived in it is inside the half-open range', () => {
    expect(defaultRangeEndMs(now)).toBe(Date.parse('2026-03-10T12:34:57Z'));
    expect(defaultRangeEndMs(NOW)).toBe(Date.parse('2026-03-10T12:34:57Z'));
    expect(resolveRange({}, now, LIMITS).to.toISOString()).toBe('2026-03-10T12:34:57.000Z');
    expect(resolveWindow({}, now, LIMITS).to.toISOString()).toBe('2026-03-10T12:34:57.000Z');
    expect(resolveRange({}, now, LIMITS).from.toISOString()).toBe('2026-03-10T11:34:57.000Z');
  });

  it('keeps an explicit end as given', () => {
    expect(rangeEndMs({ to: '2026-03-10T12:00:00Z' }, now)).toBe(Date.parse('2026-03-10T12:00:00Z'));
  });
});
