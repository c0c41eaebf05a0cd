import { describe, expect, it } from 'vitest';
import { countWindow, evaluateSlo, type SloTarget, type TimedOutcome } from './evaluate.js';
import { burnPairs, requiredWindows } from './windows.js';

const MIN = 60_000;
const DAY_S = 86400;
const T0 = Date.UTC(2026, 10, 1);

/** One event a minute for 30 days before `nowMs`, bad when `isBad(tsMs)`. */
function minuteStream(endMs: number, isBad: (tsMs: number) => boolean): TimedOutcome[] {
  const out: TimedOutcome[] = [];
  for (let ts = endMs - 30 * DAY_S * 1000 + MIN; ts <= endMs; ts += MIN) out.push({ tsMs: ts, good: !isBad(ts) });
  return out;
}

function evaluateAt(t: SloTarget, events: readonly TimedOutcome[], nowMs: number) {
  return evaluateSlo(t, (_name, seconds) => countWindow(events, nowMs, seconds));
}

const JOBS: SloTarget = { objective: 0.99, periodS: 30 * DAY_S, minEvents: 50 };

describe('countWindow', () => {
  it('counts (now − window, now] with weights', () => {
    const ev: TimedOutcome[] = [
      { tsMs: T0 - 300_000, good: false }, // exactly at the window start: outside
      { tsMs: T0 - 299_000, good: false, weight: 3 },
      { tsMs: T0, good: true, weight: 4 },
      { tsMs: T0 + 1, good: false }, // in the future: outside
    ];
    expect(countWindow(ev, T0, 300)).toEqual({ good: 4, valid: 7 });
  });
});

describe('burnPairs', () => {
  it('keeps the workbook pairs for a 30-day window', () => {
    expect(burnPairs(30 * DAY_S).map((p) => [p.alert, p.longS, p.shortS, p.factor])).toEqual([
      ['page_fast', 3600, 300, 14.4],
      ['page_slow', 21600, 1800, 6],
      ['ticket', 259200, 21600, 1],
    ]);
  });
  it('scales windows, not factors, for a 7-day window', () => {
    // 7/30 of 1h = 840 s, of 5m = 70 s, of 6h = 5040 s, of 30m = 420 s, of 3d = 60480 s
    expect(burnPairs(7 * DAY_S).map((p) => [p.longS, p.shortS, p.factor])).toEqual([
      [840, 70, 14.4],
      [5040, 420, 6],
      [60480, 5040, 1],
    ]);
    expect(requiredWindows(7 * DAY_S).map((w) => w.name)).toEqual(['5m', '30m', '1h', '6h', '3d', 'period']);
  });
});

describe('evaluateSlo', () => {
  it('gives SLI 0.995, half the budget left and no alert for a steady 0.5% error rate', () => {
    // 43,200 events; every 200th minute bad → 216 bad: error 0.5% = burn 0.5 of a 1% budget.
    const now = T0;
    const ev = minuteStream(now, (ts) => ((now - ts) / MIN) % 200 === 0);
    const r = evaluateAt(JOBS, ev, now);
    expect(r.valid).toBe(43_200);
    expect(r.good).toBe(43_200 - 216);
    expect(r.sli).toBeCloseTo(0.995, 10);
    expect(r.periodBurnRate).toBeCloseTo(0.5, 10);
    expect(r.budgetRemaining).toBeCloseTo(0.5, 10);
    // 1h: 60 events, the one at `now` bad → 1/60 = 1.667% → burn 1.667
    expect(r.windows.find((w) => w.name === '1h')).toMatchObject({ good: 59, valid: 60 });
    expect(r.windows.find((w) => w.name === '1h')?.burnRate).toBeCloseTo(1 / 60 / 0.01, 10);
    expect(r.pairs.map((p) => p.firing)).toEqual([false, false, false]);
    expect(r.status).toBe('ok');
  });

  it('pages on a fast burn 8 minutes after it starts and resolves 4 minutes after recovery', () => {
    // 100% errors from `onset` to `recovery` (20 min). 1h has 60 events: bad/60/0.01 > 14.4 needs
    // 9 bad events (onset .. onset+8m). The 5m window (5 events) then burns at 100×.
    const onset = T0;
    const recovery = T0 + 20 * MIN;
    const end = T0 + 40 * MIN;
    const ev = minuteStream(end, (ts) => ts >= onset && ts < recovery);
    const at = (m: number) => evaluateAt(JOBS, ev, onset + m * MIN);
    const fast = (m: number) => at(m).pairs.find((p) => p.alert === 'page_fast');
    expect(fast(7)).toMatchObject({ firing: false }); // 8 bad / 60 → burn 13.33
    expect(fast(7)?.burnLong).toBeCloseTo(8 / 60 / 0.01, 10);
    expect(fast(8)).toMatchObject({ firing: true }); // 9 bad → 15
    expect(fast(8)?.burnShort).toBeCloseTo(100, 10);
    expect(fast(8)?.burnLong).toBeCloseTo(15, 10);
    expect(at(8).status).toBe('page');
    // the 6h pair needs 22 bad events of 360: still quiet at 20 minutes (20 bad)
    expect(at(19).pairs.find((p) => p.alert === 'page_slow')?.firing).toBe(false);
    // after recovery the long window still burns (20/60 → 33×) but the 5m window clears:
    // recovery+3m still holds one bad event (1/5 → 20×), recovery+4m holds none.
    expect(fast(23)).toMatchObject({ firing: true });
    expect(fast(24)).toMatchObject({ firing: false, burnShort: 0 });
    expect(fast(24)?.burnLong).toBeCloseTo(20 / 60 / 0.01, 10);
  });

  it('opens a ticket, not a page, for a 2% error rate over the last 3 days', () => {
    // 3d = 4,320 events, every 50th bad → 87 bad (burn 2.01); 6h = 360 events, 8 bad (2.22);
    // 30d: 87 of 43,200 (burn 0.2014). 1h: 2 of 60 → 3.33 < 14.4; 6h 2.22 < 6.
    const now = T0;
    const ev = minuteStream(now, (ts) => {
      const k = (now - ts) / MIN;
      return k < 4320 && k % 50 === 0;
    });
    const r = evaluateAt(JOBS, ev, now);
    const pair = (a: string) => r.pairs.find((p) => p.alert === a);
    expect(pair('ticket')?.firing).toBe(true);
    expect(pair('ticket')?.burnLong).toBeCloseTo(87 / 4320 / 0.01, 10);
    expect(pair('ticket')?.burnShort).toBeCloseTo(8 / 360 / 0.01, 10);
    expect(pair('page_fast')?.firing).toBe(false);
    expect(pair('page_slow')?.firing).toBe(false);
    expect(r.budgetRemaining).toBeCloseTo(1 - 87 / 43_200 / 0.01, 10);
    expect(r.status).toBe('ticket');
  });

  it('does not page a low-volume SLO below min_events, however fast it burns', () => {
    // Cold starts: 12 in 30 days, the last 2 (within the last hour) too slow.
    const now = T0;
    const ev: TimedOutcome[] = Array.from({ length: 12 }, (_, i) => ({ tsMs: now - i * 2.5 * DAY_S * 1000 - (i < 2 ? i * 10 * MIN : 0), good: i >= 2 }));
    const r = evaluateAt({ objective: 0.99, periodS: 30 * DAY_S, minEvents: 20 }, ev, now);
    expect(r.windows.find((w) => w.name === '1h')).toMatchObject({ good: 0, valid: 1 });
    expect(r.pairs.every((p) => !p.firing && p.guarded)).toBe(true);
    // 2 bad of 12 → 16.7% errors against a 1% budget: the budget is spent (shown, not paged)
    expect(r.budgetRemaining).toBeCloseTo(1 - 2 / 12 / 0.01, 10);
    expect(r.status).toBe('breached');
  });

  it('reports insufficient data below min_events when nothing burns', () => {
    const r = evaluateAt({ objective: 0.99, periodS: 30 * DAY_S, minEvents: 20 }, [{ tsMs: T0 - MIN, good: true }], T0);
    expect(r.sli).toBe(1);
    expect(r.status).toBe('insufficient_data');
  });

  it('treats a 100% objective as an invariant: no burn rate, breached on any bad event', () => {
    const events: TimedOutcome[] = [
      { tsMs: T0 - 10 * MIN, good: true, weight: 99 },
      { tsMs: T0 - 10 * MIN, good: false, weight: 1 },
    ];
    const r = evaluateAt({ objective: 1, periodS: 30 * DAY_S, minEvents: 1 }, events, T0);
    expect(r.sli).toBeCloseTo(0.99, 10);
    expect(r.periodBurnRate).toBeNull();
    expect(r.budgetRemaining).toBe(0);
    expect(r.pairs.some((p) => p.firing)).toBe(false);
    expect(r.status).toBe('breached');
  });

  it('returns nulls without any valid event', () => {
    const r = evaluateAt(JOBS, [], T0);
    expect([r.sli, r.budgetRemaining, r.periodBurnRate]).toEqual([null, null, null]);
    expect(r.status).toBe('insufficient_data');
  });
});

const counts =
  (byName: Record<string, { good: number; valid: number }>, fallback = { good: 50, valid: 100 }) =>
  (name: string) =>
    byName[name] ?? fallback;

describe('evaluateSlo at the boundaries', () => {
  // Counts given per window directly: the boundaries are exact in binary (objective 0.5: budget 0.5,
  // so half the events bad is a burn rate of exactly 1, the ticket factor).
  const HALF: SloTarget = { objective: 0.5, periodS: 30 * DAY_S, minEvents: 100 };

  it('a burn rate equal to the factor does not fire; above it in both windows does', () => {
    const equal = evaluateSlo(HALF, counts({}));
    const ticket = equal.pairs.find((p) => p.alert === 'ticket');
    expect([ticket?.burnLong, ticket?.burnShort, ticket?.firing]).toEqual([1, 1, false]);
    // budget exactly used up is not breached; 100 events = min_events is enough data
    expect([equal.budgetRemaining, equal.status]).toEqual([0, 'ok']);
    // long window above the factor, short window exactly at it: no alert
    const shortEqual = evaluateSlo(HALF, counts({ '3d': { good: 40, valid: 100 }, '6h': { good: 50, valid: 100 } }));
    expect(shortEqual.pairs.find((p) => p.alert === 'ticket')?.firing).toBe(false);
    const longEqual = evaluateSlo(HALF, counts({ '3d': { good: 50, valid: 100 }, '6h': { good: 40, valid: 100 } }));
    expect(longEqual.pairs.find((p) => p.alert === 'ticket')?.firing).toBe(false);
    const both = evaluateSlo(HALF, counts({ '3d': { good: 40, valid: 100 }, '6h': { good: 40, valid: 100 } }));
    expect([both.pairs.find((p) => p.alert === 'ticket')?.firing, both.status]).toEqual([true, 'ticket']);
  });

  it('one event fewer than min_events is insufficient data; a budget overspent by any amount is breached', () => {
    expect(evaluateSlo(HALF, counts({ period: { good: 50, valid: 99 } })).status).toBe('insufficient_data');
    const over = evaluateSlo(HALF, counts({ period: { good: 49, valid: 100 } }));
    expect(over.budgetRemaining).toBeCloseTo(-0.02, 12);
    expect(over.status).toBe('breached');
  });

  it('an objective of 100%: all good leaves the whole budget, one bad event breaches, no events say nothing', () => {
    const ALL: SloTarget = { objective: 1, periodS: 30 * DAY_S, minEvents: 1 };
    const good = evaluateSlo(ALL, () => ({ good: 7, valid: 7 }));
    expect([good.budgetRemaining, good.periodBurnRate, good.status]).toEqual([1, null, 'ok']);
    const bad = evaluateSlo(ALL, () => ({ good: 6, valid: 7 }));
    expect([bad.budgetRemaining, bad.status]).toEqual([0, 'breached']);
    const none = evaluateSlo(ALL, () => ({ good: 0, valid: 0 }));
    expect([none.sli, none.budgetRemaining, none.status]).toEqual([null, null, 'insufficient_data']);
  });
});
