import { describe, expect, it } from 'vitest';
import { formatBytes, formatCelsius, formatDuration, formatMemPair, formatPercent, formatWatts } from './format.js';

const GiB = 1024 ** 3;

describe('format', () => {
  it.each([
    [0.734, '73%'],
    [0.735, '74%'],
    [1, '100%'],
    [0, '0%'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('formatPercent(%s) is %s', (v, s) => expect(formatPercent(v)).toBe(s));

  it.each([
    [20 * GiB, 45 * GiB, '20.0 / 45.0 GiB'],
    [1.55 * GiB, 24 * GiB, '1.6 / 24.0 GiB'],
    [null, 24 * GiB, '— / 24.0 GiB'],
  ])('formatMemPair(%s, %s) is %s', (u, t, s) => expect(formatMemPair(u, t)).toBe(s));

  it.each([
    [512, '512 B'],
    [3.25 * 1024 ** 2, '3.3 MiB'],
    [20 * GiB, '20.0 GiB'],
    [-2048, '-2.0 KiB'],
  ])('formatBytes(%s) is %s', (b, s) => expect(formatBytes(b)).toBe(s));

  it.each([
    [0.85, '850 ms'],
    [12.5, '12.5 s'],
    [200, '3 min 20 s'],
    [300, '5 min'],
    [7500, '2 h 5 min'],
    [3 * 86400 + 4 * 3600, '3 d 4 h'],
  ])('formatDuration(%s) is %s', (s, out) => expect(formatDuration(s)).toBe(out));

  it('rounds temperature and power to whole units', () => {
    expect(formatCelsius(64.4)).toBe('64 °C');
    expect(formatWatts(281.5)).toBe('282 W');
  });
});
