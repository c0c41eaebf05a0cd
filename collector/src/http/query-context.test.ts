import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './query-context.js';

describe('createAnswerCache', () => {
  it('reuses an answer within the TTL, recomputes after it, and forgets failures', async () => {
    let t = 0;
    let calls = 0;
    const cache = createAnswerCache(5000, () => t);
    const compute = (): Promise<number> => Promise.resolve(++calls);
    expect(await cache.get('k', compute)).toBe(1);
    t = 4999;
    expect(await cache.get('k', compute)).toBe(1);
    expect(await cache.get('other', compute)).toBe(2);
    t = 5000;
    expect(await cache.get('k', compute)).toBe(3);
    await expect(cache.get('bad', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('bad', compute)).toBe(4);
  });

  it('with TTL 0 always computes', async () => {
    let calls = 0;
    const cache = createAnswerCache(0, () => 0);
    await cache.get('k', () => Promise.resolve(++calls));
    await cache.get('k', () => Promise.resolve(++calls));
    expect(calls).toBe(2);
  });
});
