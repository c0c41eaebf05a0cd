import { describe, expect, it } from 'vitest';
import { invalidRangeText } from './time-range.js';

describe('invalidRangeText', () => {
  it('accepts a preset, an absolute window and no range at all', () => {
    for (const q of ['range=24h', 'from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z', '']) expect(invalidRangeText(new URLSearchParams(q))).toBeUndefined();
  });
  it('names a garbage from/to, a window that ends before it starts, and an unknown preset (cut to 40 characters)', () => {
    expect(invalidRangeText(new URLSearchParams('from=yesterday&to=now'))).toBe('from=yesterday to=now is not a valid time range');
    expect(invalidRangeText(new URLSearchParams('from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z'))).toContain('is not a valid time range');
    expect(invalidRangeText(new URLSearchParams(`range=${'x'.repeat(10_000)}`))).toBe(`range=${'x'.repeat(40)}… is not a valid time range`);
  });
});
