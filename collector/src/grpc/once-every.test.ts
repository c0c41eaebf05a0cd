import { describe, expect, it } from 'vitest';
import { onceEvery } from './once-every.js';

describe('onceEvery', () => {
  it('is true for a key once per period, for each key on its own', () => {
    let t = 1_000;
    const should = onceEvery(60_000, () => t);
    expect([should('a'), should('a'), should('b')]).toEqual([true, false, true]);
    t += 59_999;
    expect(should('a')).toBe(false);
    t += 1;
    expect([should('a'), should('a'), should('b')]).toEqual([true, false, true]);
    t += 1;
    expect(should('b')).toBe(false);
  });
});
