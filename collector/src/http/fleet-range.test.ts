import { describe, expect, it } from 'vitest';
import type { RangeLimits } from '../storage/resolution.js';
import { resolveFleetRange, resolveFleetWindow } from './fleet-range.js';

const NOW = Date.parse('2026-03-10T12:34:56Z');
const LIMITS: RangeLimits = { maxRangeDays: 400, maxPoints: 2000, rawRetentionDays: 7, rollup1mRetentionDays: 35 };
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString();

describe('resolveFleetRange', () => {
  it.each([
    ['10 min stays raw', 600, undefined, 'raw', 10],
    ['15 min reads the 1-minute rollup', 900, undefined, '1m', 60],
    ['1 h reads the 1-minute rollup', 3600, undefined, '1m', 60],
    ['1 h with step_s=15 still reads the 1-minute rollup', 3600, 15, '1m', 60],
    ['6 h at the default step', 6 * 3600, undefined, '1m', 120],
    ['24 h as before', 86400, undefined, '1m', 600],
    ['30 d as before', 30 * 86400, undefined, '1h', 10800],
  ] as const)('%s', (_name, rangeS, step, resolution, stepS) => {
    const r = resolveFleetRange({ from: ago(rangeS), to: ago(0), step_s: step }, NOW, LIMITS);
    expect([r.resolution, r.stepS]).toEqual([resolution, stepS]);
  });
});

describe('resolveFleetWindow', () => {
  it('keeps raw rows under 15 minutes', () => {
    expect(resolveFleetWindow({ from: ago(600), to: ago(0) }, NOW, LIMITS).resolution).toBe('raw');
  });
  it('widens 15 min to 3 h windows to whole minutes and reads the 1-minute rollup', () => {
    const r = resolveFleetWindow({ from: ago(3600), to: ago(0) }, NOW, LIMITS);
    expect([r.resolution, r.from.toISOString(), r.to.toISOString()]).toEqual(['1m', '2026-03-10T11:34:00.000Z', '2026-03-10T12:35:00.000Z']);
  });
  it('leaves longer windows to resolveWindow', () => {
    expect(resolveFleetWindow({ from: ago(86400), to: ago(0) }, NOW, LIMITS).resolution).toBe('1m');
    expect(resolveFleetWindow({ from: ago(7 * 86400), to: ago(0) }, NOW, LIMITS).resolution).toBe('1h');
  });
});
