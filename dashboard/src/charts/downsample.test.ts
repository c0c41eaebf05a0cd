import { describe, expect, it } from 'vitest';
import { downsample } from './downsample.js';

describe('downsample', () => {
  it('keeps rows untouched when there are at most two per pixel', () => {
    const data = [0, 1, 2, 3].map((t) => ({ t, a: t }));
    expect(downsample(data, ['a'], 2)).toBe(data);
  });

  it('keeps each bucket’s min and max in time order, per series', () => {
    // 8 rows into 2 buckets of 4: bucket 1 a = 5,9,1,4 (max before min) → 9 then 1;
    // b = 2,2,7,3 (min 2 at row 0 first) → 2 then 7. Bucket 2 a = 0,0,6,0 → 0 then 6; b null then 8.
    const a = [5, 9, 1, 4, 0, 0, 6, 0];
    const b = [2, 2, 7, 3, null, null, null, 8];
    const data = a.map((v, i) => ({ t: i * 10, a: v, b: b[i] ?? null }));
    expect(downsample(data, ['a', 'b'], 2)).toEqual([
      { t: 0, a: 9, b: 2 },
      { t: 30, a: 1, b: 7 },
      { t: 40, a: 0, b: 8 },
      { t: 70, a: 6, b: 8 },
    ]);
  });

  it('gives a series with no number in a bucket a gap (null), not a zero', () => {
    const data = [0, 1, 2, 3, 4, 5].map((t) => ({ t, a: t < 3 ? null : t }));
    expect(downsample(data, ['a'], 2)).toEqual([
      { t: 0, a: null },
      { t: 2, a: null },
      { t: 3, a: 3 },
      { t: 5, a: 5 },
    ]);
  });
});
