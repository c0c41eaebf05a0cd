import { describe, expect, it } from 'vitest';
import { splitWholeDays, startsByTime, versionTimeline, type StartConfigRow } from './versions.js';

const s = (ms: number, version: string, extensions: string[], host = 'h', runtime = 'comfyui'): StartConfigRow => ({ host, runtime, ms, version, extensions });
const iso = (ms: number): string => new Date(ms).toISOString();

describe('versionTimeline', () => {
  it('collapses equal starts into runs and says what changed against the start before', () => {
    const t = versionTimeline(
      [s(1000, 'v1', ['b', 'a']), s(2000, 'v1', ['a', 'b']), s(3000, 'v1', ['a', 'c']), s(4000, 'v2', ['c', 'a'])],
      new Map([['h\u0000comfyui', s(0, 'v0', ['a', 'b'])]]),
    );
    expect(t.get('h')).toEqual([
      {
        runtime: 'comfyui',
        version: 'v1',
        extensions: ['a', 'b'],
        first_start: iso(1000),
        last_start: iso(2000),
        starts: 2,
        previous_version: 'v0',
        added: [],
        removed: [],
      },
      {
        runtime: 'comfyui',
        version: 'v1',
        extensions: ['a', 'c'],
        first_start: iso(3000),
        last_start: iso(3000),
        starts: 1,
        previous_version: 'v1',
        added: ['c'],
        removed: ['b'],
      },
      {
        runtime: 'comfyui',
        version: 'v2',
        extensions: ['a', 'c'],
        first_start: iso(4000),
        last_start: iso(4000),
        starts: 1,
        previous_version: 'v1',
        added: [],
        removed: [],
      },
    ]);
  });

  it('gives null changes when no earlier start is known, and keeps runtimes and hosts apart', () => {
    const t = versionTimeline([s(1000, 'v1', ['x']), s(1500, 'f1', [], 'h', 'forge'), s(2000, 'v1', ['x'], 'g')], new Map());
    expect(t.get('h')?.map((p) => [p.runtime, p.previous_version, p.added, p.removed])).toEqual([
      ['comfyui', null, null, null],
      ['forge', null, null, null],
    ]);
    expect(t.get('g')).toHaveLength(1);
  });

  it('starts a new run when a change is reverted (A → B → A is three runs)', () => {
    const t = versionTimeline([s(1, 'v1', []), s(2, 'v2', []), s(3, 'v1', [])], new Map());
    expect(t.get('h')?.map((p) => [p.version, p.previous_version])).toEqual([
      ['v1', null],
      ['v2', 'v1'],
      ['v1', 'v2'],
    ]);
  });
});

const D = 86400_000;
const at = (text: string): number => Date.parse(text);

describe('splitWholeDays', () => {
  it('takes the whole UTC days inside the range and leaves the partial days at both ends', () => {
    expect(splitWholeDays(at('2026-10-23T07:00:00Z'), at('2026-11-22T08:00:00Z'))).toEqual({
      days: { fromMs: at('2026-10-24T00:00:00Z'), toMs: at('2026-11-22T00:00:00Z') },
      edges: [
        { fromMs: at('2026-10-23T07:00:00Z'), toMs: at('2026-10-24T00:00:00Z') },
        { fromMs: at('2026-11-22T00:00:00Z'), toMs: at('2026-11-22T08:00:00Z') },
      ],
    });
  });

  it('has no edge at a midnight boundary, and no whole day in a range shorter than one or across one midnight', () => {
    expect(splitWholeDays(3 * D, 5 * D)).toEqual({ days: { fromMs: 3 * D, toMs: 5 * D }, edges: [] });
    expect(splitWholeDays(3 * D, 5 * D + 1000)).toEqual({ days: { fromMs: 3 * D, toMs: 5 * D }, edges: [{ fromMs: 5 * D, toMs: 5 * D + 1000 }] });
    expect(splitWholeDays(3 * D + 5, 4 * D + 5)).toEqual({ days: null, edges: [{ fromMs: 3 * D + 5, toMs: 4 * D + 5 }] });
    expect(splitWholeDays(3 * D + 5, 3 * D + 9)).toEqual({ days: null, edges: [{ fromMs: 3 * D + 5, toMs: 3 * D + 9 }] });
  });
});

describe('startsByTime', () => {
  it('flattens the (host, runtime) groups into starts ordered by ms, so a host with two runtimes keeps its periods in time order', () => {
    const rows = startsByTime([
      {
        host: 'h',
        runtime: 'comfyui',
        starts: [
          [1, 0, 'v1', ['a']],
          [3, 500, 'v2', []],
        ],
      },
      { host: 'h', runtime: 'forge', starts: [[2, 0, 'f1', []]] },
    ]);
    expect(rows).toEqual([s(1000, 'v1', ['a']), s(2000, 'f1', [], 'h', 'forge'), s(3500, 'v2', [])]);
    expect(
      versionTimeline(rows, new Map())
        .get('h')
        ?.map((p) => [p.runtime, p.version, p.first_start]),
    ).toEqual([
      ['comfyui', 'v1', iso(1000)],
      ['forge', 'f1', iso(2000)],
      ['comfyui', 'v2', iso(3500)],
    ]);
  });
});
