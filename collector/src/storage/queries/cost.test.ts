import { describe, expect, it } from 'vitest';
import { costSpans } from './cost.js';

const d = (s: string): Date => new Date(s);
const iso = (x: { days: [Date, Date] | null; hours: [Date, Date][] }) => ({
  days: x.days?.map((v) => v.toISOString()) ?? null,
  hours: x.hours.map(([a, b]) => [a.toISOString(), b.toISOString()]),
});

describe('costSpans', () => {
  it('reads whole days from the daily rollup and the partial days hour by hour', () => {
    expect(iso(costSpans(d('2026-11-01T10:30:00Z'), d('2026-11-04T05:00:00Z')))).toEqual({
      days: ['2026-11-02T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      hours: [
        ['2026-11-01T11:00:00.000Z', '2026-11-02T00:00:00.000Z'],
        ['2026-11-04T00:00:00.000Z', '2026-11-04T05:00:00.000Z'],
      ],
    });
  });

  it('counts an hour whose start lies before `to` (as the hourly rollups did), and needs no hours on day edges', () => {
    expect(iso(costSpans(d('2026-11-01T00:00:00Z'), d('2026-11-02T23:00:01Z')))).toEqual({
      days: ['2026-11-01T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
      hours: [],
    });
    expect(iso(costSpans(d('2026-11-01T00:00:00Z'), d('2026-11-02T23:00:00Z')))).toEqual({
      days: ['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      hours: [['2026-11-02T00:00:00.000Z', '2026-11-02T23:00:00.000Z']],
    });
  });

  it('uses only hours inside one day, and nothing for a window without an hour start', () => {
    expect(iso(costSpans(d('2026-11-01T10:00:00Z'), d('2026-11-01T12:00:00Z')))).toEqual({
      days: null,
      hours: [['2026-11-01T10:00:00.000Z', '2026-11-01T12:00:00.000Z']],
    });
    expect(iso(costSpans(d('2026-11-01T10:10:00Z'), d('2026-11-01T10:50:00Z')))).toEqual({ days: null, hours: [] });
  });
});
