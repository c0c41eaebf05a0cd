import { describe, expect, it } from 'vitest';
import { parseGpuPrices, priceFor } from './gpu-prices.js';

describe('parseGpuPrices', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['H100=2.49', [{ match: 'H100', price: 2.49 }]],
    [
      ' H100 = 2.49 , L40S=1.10,*=0.8 ',
      [
        { match: 'H100', price: 2.49 },
        { match: 'L40S', price: 1.1 },
        { match: '*', price: 0.8 },
      ],
    ],
    ['RTX 4090=0.35', [{ match: 'RTX 4090', price: 0.35 }]],
  ])('parses %j in order', (text, want) => {
    expect(parseGpuPrices(text)).toEqual(want);
  });

  it.each(['H100', '=2', 'H100=', 'H100=abc', 'H100=2,', 'H100=-1'])('throws on %j', (text) => {
    expect(() => parseGpuPrices(text)).toThrow(TypeError);
  });
});

describe('priceFor', () => {
  const prices = parseGpuPrices('H100=2.49,L40S=1.10,L4=0.70,*=0.80');
  it.each([
    ['NVIDIA H100 80GB HBM3', 2.49],
    ['NVIDIA L40S', 1.1],
    ['NVIDIA L4', 0.7],
    ['nvidia l4', 0.7],
    ['NVIDIA GeForce RTX 4090', 0.8],
  ])('prices %j at %d (first match wins, * matches any)', (name, want) => {
    expect(priceFor(prices, name)).toBe(want);
  });

  it('returns null when nothing matches and there is no *', () => {
    expect(priceFor(parseGpuPrices('H100=2.49'), 'NVIDIA L4')).toBeNull();
    expect(priceFor([], 'NVIDIA L4')).toBeNull();
  });
});
