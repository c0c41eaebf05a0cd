import { describe, expect, it } from 'vitest';
import { distribution, nearestRank, pairStarts, summarizeStarts, type HostStartRow } from './starts.js';

const st = (ms: number, cold: boolean | null, agent = 'a'): HostStartRow => ({ agent_id: agent, host: `h-${agent}`, runtime: 'comfyui', kind: 'runtime_start', ts_ms: ms, cold, startup_s: null });
const rd = (ms: number, startup: number | null = null, agent = 'a'): HostStartRow => ({ agent_id: agent, host: `h-${agent}`, runtime: 'comfyui', kind: 'runtime_ready', ts_ms: ms, cold: null, startup_s: startup });

describe('nearestRank', () => {
  it.each([
    [[40, 55], 0.5, 40],
    [[40, 55], 0.9, 55],
    [[6, 8, 10], 0.5, 8],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9],
    [[7], 0.5, 7],
  ])('of %j at %d is %d', (xs, p, want) => {
    expect(nearestRank(xs, p)).toBe(want);
  });

  it('is null without values', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(distribution([])).toEqual({ count: 0, p50_s: null, p90_s: null, max_s: null });
  });
});

describe('pairStarts', () => {
  it('pairs each start with the next ready of its agent, preferring the stated startup_s', () => {
    const rows = [st(0, true), st(500, false, 'b'), rd(40_000), rd(506_000, null, 'b'), st(100_000, null), rd(170_000, 55)];
    expect(pairStarts(rows, Infinity).map((p) => [p.host, p.cold, p.durationS])).toEqual([['h-a', true, 40], ['h-b', false, 505.5], ['h-a', false, 55]]);
  });

  it('counts a start superseded by another start, or open past the cutoff, as never ready; a recent open start is pending', () => {
    const rows = [st(0, false), st(1000, false), rd(3000), st(10_000, true), rd(20_000, null, 'x'), st(50_000, true, 'y')];
    const paired = pairStarts(rows, 40_000);
    expect(paired.map((p) => [p.startMs, p.durationS])).toEqual([[0, null], [1000, 2], [10_000, null]]);
  });
});

describe('summarizeStarts', () => {
  it('groups the starts inside [from, to) by runtime and by host', () => {
    const paired = pairStarts([st(0, true), rd(40_000), st(50_000, false), rd(56_000), st(200_000, false), rd(201_000)], Infinity);
    expect(summarizeStarts(paired, 0, 100_000)).toEqual({
      by_runtime: [{ runtime: 'comfyui', cold: { count: 1, p50_s: 40, p90_s: 40, max_s: 40 }, warm: { count: 1, p50_s: 6, p90_s: 6, max_s: 6 }, never_ready: 0 }],
      by_host: [{ host: 'h-a', runtime: 'comfyui', cold: { count: 1, p50_s: 40, p90_s: 40, max_s: 40 }, warm: { count: 1, p50_s: 6, p90_s: 6, max_s: 6 }, never_ready: 0 }],
    });
  });
});
