import { describe, expect, it } from 'vitest';
import { formatDurationS, parseDurationS } from './duration.js';

describe('parseDurationS', () => {
  it.each([
    ['90s', 90],
    ['5m', 300],
    ['6h', 21600],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
    ['0s', 0],
  ])('reads %s as %d seconds', (text, s) => {
    expect(parseDurationS(text)).toBe(s);
  });
  it.each(['', '5', 'm5', '5 m', '1y', '-5m', '1.5h'])('refuses %j', (text) => {
    expect(parseDurationS(text)).toBeUndefined();
  });
});

describe('formatDurationS', () => {
  it.each([
    [300, '5m'],
    [3600, '1h'],
    [259_200, '3d'],
    [90, '90s'],
    [5400, '90m'],
  ])('names %d seconds %s', (s, text) => {
    expect(formatDurationS(s)).toBe(text);
  });
});
