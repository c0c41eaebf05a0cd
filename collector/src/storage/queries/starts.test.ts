import { describe, expect, it } from 'vitest';
import { distribution, nearestRank, pairStarts, rowsPerAgentRuntime, summarizeStarts, type HostStartRow } from './starts.js';

const st = (ms: number, cold: boolean | null, agent = 'a'): HostStartRow => ({
  agent_id: agent,
  host: `h-${agent}`,
  runtime: 'comfyui',
  kind: 'runtime_start',
  ts_ms: ms,
  cold,
  startup_s: null,
});
const rd = (ms: number, startup: number | null = null, agent = 'a'): HostStartRow => ({
  agent_id: agent,
  host: `h-${agent}`,
  runtime: 'comfyui',
  kind: 'runtime_ready',
  ts_ms: ms,
  cold: null,
  startup_s: startup,
});

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

  it('gives p50, p90, p99 by nearest rank and the max, in any input order', () => {
    // 1..101 s shuffled: p50 = 51st value (ceil(50.5)), p90 = 91st (ceil(90.9)), p99 = 100th (ceil(99.99)), max 101
    const xs = Array.from({ length: 101 }, (_, i) => ((i * 37) % 101) + 1);
    expect(distribution(xs)).toEqual({ count: 101, p50_s: 51, p90_s: 91, p99_s: 100, max_s: 101 });
    // 10 values: p99 = ceil(9.9) = 10th = the max; p90 = 9th
    expect(distribution([8, 1, 30, 2, 7, 3, 6, 4, 5, 9])).toMatchObject({ p90_s: 9, p99_s: 30, max_s: 30 });
  });

  it('is null without values', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(distribution([])).toEqual({ count: 0, p50_s: null, p90_s: null, p99_s: null, max_s: null });
  });
});

describe('pairStarts', () => {
  it('pairs each start with the next ready of its agent, preferring the stated startup_s', () => {
    const rows = [st(0, true), st(500, false, 'b'), rd(40_000), rd(506_000, null, 'b'), st(100_000, null), rd(170_000, 55)];
    expect(pairStarts(rows, Infinity).map((p) => [p.host, p.cold, p.durationS])).toEqual([
      ['h-a', true, 40],
      ['h-b', false, 505.5],
      ['h-a', false, 55],
    ]);
  });

  it('counts a start superseded by another start, or open past the cutoff, as never ready; a recent open start is pending', () => {
    const rows = [st(0, false), st(1000, false), rd(3000), st(10_000, true), rd(20_000, null, 'x'), st(50_000, true, 'y')];
    const paired = pairStarts(rows, 40_000);
    expect(paired.map((p) => [p.startMs, p.durationS])).toEqual([
      [0, null],
      [1000, 2],
      [10_000, null],
    ]);
  });
});

describe('summarizeStarts', () => {
  it('groups the starts inside [from, to) by runtime and by host', () => {
    const paired = pairStarts([st(0, true), rd(40_000), st(50_000, false), rd(56_000), st(200_000, false), rd(201_000)], Infinity);
    expect(summarizeStarts(paired, 0, 100_000)).toEqual({
      by_runtime: [
        {
          runtime: 'comfyui',
          cold: { count: 1, p50_s: 40, p90_s: 40, p99_s: 40, max_s: 40 },
          warm: { count: 1, p50_s: 6, p90_s: 6, p99_s: 6, max_s: 6 },
          never_ready: 0,
        },
      ],
      by_host: [
        {
          host: 'h-a',
          runtime: 'comfyui',
          cold: { count: 1, p50_s: 40, p90_s: 40, p99_s: 40, max_s: 40 },
          warm: { count: 1, p50_s: 6, p90_s: 6, p99_s: 6, max_s: 6 },
          never_ready: 0,
        },
      ],
    });
  });
});

describe('rowsPerAgentRuntime', () => {
  it('turns each group of tuples into rows, one ordered list per agent and runtime', () => {
    const lists = rowsPerAgentRuntime([
      {
        agent_id: 'a',
        runtime: 'comfyui',
        host: 'h-a',
        events: [
          [10, 5, 0, 1, null],
          [12, 0, 1, null, 55.5],
        ],
      },
      { agent_id: 'a', runtime: 'forge', host: 'h-a', events: [[11, 0, 0, null, null]] },
    ]);
    expect(lists).toEqual([
      [
        { agent_id: 'a', host: 'h-a', runtime: 'comfyui', kind: 'runtime_start', ts_ms: 10_005, cold: true, startup_s: null },
        { agent_id: 'a', host: 'h-a', runtime: 'comfyui', kind: 'runtime_ready', ts_ms: 12_000, cold: null, startup_s: 55.5 },
      ],
      [{ agent_id: 'a', host: 'h-a', runtime: 'forge', kind: 'runtime_start', ts_ms: 11_000, cold: null, startup_s: null }],
    ]);
  });

  it('merges an agent seen under two hosts by time, a start before a ready of the same ms, so it pairs across them as before', () => {
    const [rows, ...rest] = rowsPerAgentRuntime([
      {
        agent_id: 'a',
        runtime: 'comfyui',
        host: 'old-name',
        events: [
          [10, 0, 0, 0, null],
          [20, 0, 1, null, null],
        ],
      },
      {
        agent_id: 'a',
        runtime: 'comfyui',
        host: 'new-name',
        events: [
          [20, 0, 0, 1, null],
          [30, 0, 1, null, null],
        ],
      },
    ]);
    expect(rest).toEqual([]);
    expect(rows?.map((r) => [r.host, r.kind, r.ts_ms])).toEqual([
      ['old-name', 'runtime_start', 10_000],
      ['new-name', 'runtime_start', 20_000],
      ['old-name', 'runtime_ready', 20_000],
      ['new-name', 'runtime_ready', 30_000],
    ]);
    expect(pairStarts(rows ?? [], Infinity).map((p) => [p.host, p.startMs, p.durationS])).toEqual([
      ['old-name', 10_000, null],
      ['new-name', 20_000, 0],
    ]);
  });
});
