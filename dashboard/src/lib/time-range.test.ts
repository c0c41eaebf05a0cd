import { describe, expect, it } from 'vitest';
import { takeKeyFromUrl, type KeyStore } from './api-key.js';
import { parseRefresh } from './refresh-interval.js';
import { parseTimeRange, rangeKey, rangeQuery } from './time-range.js';

const NOW = Date.parse('2026-05-01T12:00:00.000Z');

describe('time range in the URL', () => {
  it.each([
    ['', '1h', 3600_000],
    ['?range=24h', '24h', 86400_000],
    ['?range=bogus', '1h', 3600_000],
  ])('parses %j as preset %s', (search, id, ms) => {
    const r = parseTimeRange(new URLSearchParams(search));
    expect(r).toMatchObject({ kind: 'preset', id, ms });
    expect(rangeKey(r)).toBe(id);
    const q = rangeQuery(r, NOW);
    expect(Date.parse(q.to) - Date.parse(q.from)).toBe(ms);
  });

  it('prefers an absolute from/to, and ignores one that ends before it starts', () => {
    const abs = parseTimeRange(new URLSearchParams('range=6h&from=2026-05-01T10:00:00Z&to=2026-05-01T11:00:00Z'));
    expect(abs.kind).toBe('absolute');
    expect(rangeQuery(abs, NOW)).toEqual({ from: '2026-05-01T10:00:00.000Z', to: '2026-05-01T11:00:00.000Z' });
    expect(parseTimeRange(new URLSearchParams('from=2026-05-01T11:00:00Z&to=2026-05-01T10:00:00Z')).kind).toBe('preset');
  });

  it.each([
    ['5s', 5000],
    ['off', null],
    [null, 7000],
    ['2s', 7000],
  ])('refresh=%s gives %s ms', (v, ms) => expect(parseRefresh(v, 7000)).toBe(ms));
});

function store(init: Record<string, string> = {}): KeyStore & { data: Record<string, string> } {
  const data = { ...init };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v), removeItem: (k) => void delete data[k] };
}

describe('API key from the URL', () => {
  it('moves ?key= into storage and out of the URL', () => {
    const s = store();
    expect(takeKeyFromUrl('?range=1h&key=abc', s)).toEqual({ key: 'abc', search: '?range=1h' });
    expect(takeKeyFromUrl('?range=1h', s)).toEqual({ key: 'abc', search: '?range=1h' });
  });

  it('forgets the key on ?key= (empty)', () => {
    const s = store({ 'renderwatch.apiKey': 'old' });
    expect(takeKeyFromUrl('?key=', s)).toEqual({ key: undefined, search: '' });
  });
});
