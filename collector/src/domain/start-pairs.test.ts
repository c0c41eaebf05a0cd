import { describe, expect, it } from 'vitest';
import { startOutcomes, type StartEventRow } from './start-pairs.js';

const T0 = Date.UTC(2026, 10, 1);
const start = (agent: string, s: number, cold: boolean | null = null): StartEventRow => ({
  agent_id: agent,
  runtime: 'comfyui',
  kind: 'runtime_start',
  ts_ms: T0 + s * 1000,
  cold,
  startup_s: null,
});
const ready = (agent: string, s: number, startup: number | null = null): StartEventRow => ({
  agent_id: agent,
  runtime: 'comfyui',
  kind: 'runtime_ready',
  ts_ms: T0 + s * 1000,
  cold: null,
  startup_s: startup,
});

describe('startOutcomes', () => {
  const rows: StartEventRow[] = [
    start('a', 0), // warm, ready after 100 s → good
    start('b', 10, true), // cold, ready after 1500 s → good for 20 m, skipped for warm
    ready('a', 100),
    start('c', 200), // warm, the runtime says it took 400 s → bad for 5 m
    ready('c', 250, 400),
    start('d', 300), // warm, restarted before ready: bad at 300 + 300
    start('d', 900),
    ready('d', 960), // the second start took 60 s → good
    ready('b', 1510),
    start('e', 2000), // never ready: bad once 2000 + 300 has passed
    ready('f', 2100), // ready without a start: ignored
  ];

  it.each([
    [
      'warm within 5m',
      false,
      300,
      T0 + 3000_000,
      [
        [100, true],
        [250, false],
        [600, false],
        [960, true],
        [2300, false],
      ],
    ],
    [
      'warm before the open start is due',
      false,
      300,
      T0 + 2200_000,
      [
        [100, true],
        [250, false],
        [600, false],
        [960, true],
      ],
    ],
    ['cold within 20m', true, 1200, T0 + 3000_000, [[1510, false]]],
    ['cold within 30m', true, 1800, T0 + 3000_000, [[1510, true]]],
  ])('classifies %s', (_what, cold, thresholdS, nowMs, expected) => {
    const got = startOutcomes(rows, { cold, thresholdS, nowMs }).map((o) => [(o.tsMs - T0) / 1000, o.good]);
    expect(got).toEqual(expected);
  });
});

const labelledReady = (agent: string, s: number, cold: boolean | null): StartEventRow => ({ ...ready(agent, s), cold });

describe('the ready row carries the evidence-based label (agents since migration 0021)', () => {
  it('the ready label wins over the start flag; an unknown ready label falls back to the start flag', () => {
    const rows: StartEventRow[] = [
      start('a', 0, false),
      labelledReady('a', 100, true), // cold by evidence, 100 s
      start('b', 10, true),
      labelledReady('b', 50, false), // warm by evidence, 40 s
      start('c', 20, true),
      labelledReady('c', 80, null), // unknown: the old flag (cold), 60 s
    ];
    const cold = startOutcomes(rows, { cold: true, thresholdS: 70, nowMs: T0 + 3600_000 }).map((o) => [(o.tsMs - T0) / 1000, o.good]);
    const warm = startOutcomes(rows, { cold: false, thresholdS: 70, nowMs: T0 + 3600_000 }).map((o) => [(o.tsMs - T0) / 1000, o.good]);
    expect(cold).toEqual([
      [80, true],
      [100, false],
    ]);
    expect(warm).toEqual([[50, true]]);
  });
});
