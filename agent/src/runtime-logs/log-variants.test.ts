// Every recorded runtime log, as the tools between a runtime and the agent deliver it (Windows line
// endings, colours, tqdm redraws, a byte order mark, docker/CRI/journald/syslog prefixes, CRI
// partial lines, foreign lines, binary garbage, Latin-1 lines, a 1 MB line): the parser never
// throws, the events are those of the clean recording (OOM numbers and causes, model loads, job
// ends, downloads), and every line it cannot read whole is counted. Variants come from a seeded
// PRNG (test/support/log-variants.ts): a failure names the fixture and the seed.
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import {
  PREFIXES,
  ansi,
  bom,
  crlf,
  criPartials,
  deepTracebacks,
  garbageLine,
  insertBefore,
  latin1Line,
  loadLogFixtures,
  prefixed,
  prng,
  splitLines,
  tqdmRedraws,
  type Rng,
} from '../../test/support/log-variants.js';
import { parseLogTextCounted } from './parser-session.js';
import { createRecordAssembler } from './record-assembler.js';

const FIXTURES = loadLogFixtures();
/** A 1 MB line (an image printed as a data URL). */
const BIG_LINE = `data:image/png;base64,${'iVBORw0KGgo'.repeat(96 * 1024)}`;
/** Under load (2 shared cores) the slower cases take seconds: no timed assertion, a generous limit. */
const SLOW = 60_000;
const SEEDS = [1, 2, 3];

const run = (text: string, rt: RuntimeName) => parseLogTextCounted(text, rt, { downloads: true });
/** Events without `ts`: a collector's prefix adds a time the clean line did not carry. */
const noTs = (evs: readonly RuntimeEvent[]): object[] => evs.map(({ ts: _ts, ...rest }) => rest);

/** Line indexes before which a new record starts (inserting a line there cannot split a record). */
function boundaries(text: string): number[] {
  const a = createRecordAssembler();
  const out: number[] = [];
  splitLines(text).forEach((l, i) => {
    const before = a.pendingStartOffset();
    a.push(l, i);
    const after = a.pendingStartOffset();
    if (before === undefined || after === undefined || after === i) out.push(i);
  });
  return out;
}

/** Forge is a fork of A1111 and prints its lines (`Reusing loaded model X to load Y`): not foreign to each other. */
const family = (r: RuntimeName): string => (r === 'forge' ? 'a1111' : r);

/** Lines of other runtimes' fixtures that produce no event and no record of their own continuation. */
function foreignPool(runtime: RuntimeName): string[] {
  const pool = new Set<string>();
  for (const f of FIXTURES.filter((x) => family(x.runtime) !== family(runtime) && !x.name.startsWith('downloads/')))
    for (const l of splitLines(f.text)) {
      if (l.length < 12 || /^\s|[\r|]|^[*─│╭╰]/.test(l) || /[,([{:]\s*$/.test(l)) continue;
      if (FIXTURES.some((g) => run(`${l}\n`, g.runtime).events.length > 0)) continue;
      pool.add(l);
    }
  return [...pool].sort();
}

function pickBoundaries(rng: Rng, b: readonly number[], n: number): number[] {
  const picked = new Set<number>();
  for (let i = 0; i < n && b.length > 0; i++) picked.add(b[Math.floor(rng() * b.length)] ?? 0);
  return [...picked];
}

/** Numbers in events are finite and not negative; strings are strings. */
function expectSane(evs: readonly RuntimeEvent[]): void {
  for (const e of evs)
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0, `${e.kind}.${k} = ${v}`).toBe(true);
    }
}

const LOSSLESS: Record<string, (t: string, rng: Rng) => string> = {
  crlf: (t) => crlf(t),
  ansi: (t, rng) => ansi(t, rng),
  tqdm: (t, rng) => tqdmRedraws(t, rng),
  bom: (t) => bom(t),
  ...Object.fromEntries(Object.entries(PREFIXES).map(([name, p]) => [name, (t: string) => prefixed(t, p)])),
  criPartials: (t, rng) => criPartials(t, 8 + Math.floor(rng() * 40)),
  // what a Windows host running ComfyUI in a container under journald delivers
  composed: (t, rng) => crlf(prefixed(bom(ansi(tqdmRedraws(t, rng), rng)), PREFIXES.journald ?? String)),
  criOfComposed: (t, rng) => criPartials(ansi(tqdmRedraws(t, rng), rng), 30),
};

describe('runtime-log parsers over variants of every recorded log', () => {
  const clean = new Map(FIXTURES.map((f) => [f.name, run(f.text, f.runtime)]));

  it.each(Object.keys(LOSSLESS))(
    '%s: the same events as the clean recording, nothing counted unreadable',
    (variant) => {
      const make = LOSSLESS[variant] as (t: string, rng: Rng) => string;
      for (const f of FIXTURES)
        for (const seed of SEEDS) {
          const want = clean.get(f.name);
          const got = run(make(f.text, prng(seed)), f.runtime);
          const where = `${f.name} seed ${seed}`;
          expect(noTs(got.events), where).toEqual(noTs(want?.events ?? []));
          expect(got.parseErrors.count, where).toBe(want?.parseErrors.count);
          expect(got.unreadable.count, where).toBe(0);
        }
    },
    SLOW,
  );

  it(
    'dated collector prefixes give every event their zoned time; journald short (no year) gives none',
    () => {
      const f = FIXTURES.find((x) => x.name === 'comfyui/fully-cached-reruns-2023-07.log');
      if (f === undefined) throw new Error('fixture missing');
      const stamps = (p: keyof typeof PREFIXES): (string | undefined)[] => [
        ...new Set(run(prefixed(f.text, PREFIXES[p] ?? String), f.runtime).events.map((e) => e.ts?.slice(0, 16))),
      ];
      expect(stamps('docker')).toEqual(['2026-01-02T03:04']);
      expect(stamps('cri')).toEqual(['2026-01-02T03:04']);
      expect(stamps('rsyslog')).toEqual(['2026-01-02T03:04']);
      expect(stamps('journaldIso')).toEqual(['2026-01-02T03:04']);
      expect(stamps('journald')).toEqual([undefined]);
      const first = run(`2026-01-02T03:04:05.123456789Z stdout F Prompt executed in 2.50 seconds\n`, 'comfyui').events[0];
      expect(first).toEqual({ kind: 'job_end', runtime: 'comfyui', ts: '2026-01-02T03:04:05.123456789Z', duration_s: 2.5, outcome: 'ok' });
      expect(Date.parse(run(`2026-01-02T04:04:05+0100 h python3[7]: Prompt executed in 2.50 seconds\n`, 'comfyui').events[0]?.ts ?? '')).toBe(
        Date.UTC(2026, 0, 2, 3, 4, 5),
      );
    },
    SLOW,
  );

  it(
    'foreign lines between records (other runtimes, Latin-1 text) change no event',
    () => {
      const pools = new Map<RuntimeName, string[]>();
      for (const f of FIXTURES)
        for (const seed of SEEDS) {
          const pool = pools.get(f.runtime) ?? foreignPool(f.runtime);
          pools.set(f.runtime, pool);
          expect(pool.length).toBeGreaterThan(50);
          const rng = prng(seed);
          const at = new Map(pickBoundaries(rng, boundaries(f.text), 6).map((i) => [i, pool[Math.floor(rng() * pool.length)] ?? '']));
          const got = run(insertBefore(f.text, at), f.runtime);
          expect(noTs(got.events), `${f.name} seed ${seed}: ${[...at.values()].join(' / ')}`).toEqual(noTs(clean.get(f.name)?.events ?? []));
          const latin = run(
            insertBefore(f.text, new Map([[pickBoundaries(rng, boundaries(f.text), 1)[0] ?? 0, latin1Line('Modèle chargé en 3,2 s (méga)')]])),
            f.runtime,
          );
          expect(noTs(latin.events), f.name).toEqual(noTs(clean.get(f.name)?.events ?? []));
          expect(latin.unreadable.count, f.name).toBe(1);
        }
    },
    SLOW,
  );

  it(
    'binary garbage, NUL padding and a 1 MB line between records: same events, each such line counted',
    () => {
      for (const f of FIXTURES)
        for (const seed of SEEDS) {
          const rng = prng(seed);
          const [g1, g2, nul, big] = pickBoundaries(rng, boundaries(f.text), 8);
          const at = new Map<number, string>();
          if (g1 !== undefined) at.set(g1, garbageLine(rng, 1 + Math.floor(rng() * 200)));
          if (g2 !== undefined) at.set(g2, garbageLine(rng, 1 + Math.floor(rng() * 200)));
          if (big !== undefined && seed === 1) at.set(big, BIG_LINE);
          // a crash leaves the file's tail NUL-filled; the runtime's next line follows the NULs
          const lines = splitLines(f.text);
          if (nul !== undefined) lines[nul] = `${'\0'.repeat(4096)}${lines[nul] ?? ''}`;
          const got = run(insertBefore(`${lines.join('\n')}\n`, at), f.runtime);
          const where = `${f.name} seed ${seed}`;
          expect(noTs(got.events), where).toEqual(noTs(clean.get(f.name)?.events ?? []));
          expect(got.unreadable.count, where).toBe(at.size + (nul === undefined ? 0 : 1));
        }
    },
    SLOW,
  );

  it(
    'tracebacks deeper than a record holds: the same events (the exception line is kept), each cut counted',
    () => {
      let deepened = 0;
      for (const f of FIXTURES) {
        const deep = deepTracebacks(f.text, 300);
        deepened += deep.deepened;
        const got = run(deep.text, f.runtime);
        expect(noTs(got.events), f.name).toEqual(noTs(clean.get(f.name)?.events ?? []));
        expect(got.unreadable.count, f.name).toBe(deep.deepened);
      }
      expect(deepened).toBeGreaterThanOrEqual(4);
    },
    SLOW,
  );

  it(
    'a log cut anywhere (a crash mid-write) never throws and gives only sane numbers',
    () => {
      for (const f of FIXTURES) {
        const rng = prng(f.text.length);
        for (let i = 0; i < 40; i++) {
          const at = Math.floor(rng() * f.text.length);
          expectSane(run(f.text.slice(0, at), f.runtime).events);
        }
      }
    },
    SLOW,
  );

  it(
    'random bytes in every runtime parser: no throw, sane numbers, the garbage counted',
    () => {
      const rng = prng(7);
      for (let i = 0; i < 200; i++) {
        const lines = Array.from({ length: 1 + Math.floor(rng() * 20) }, () => garbageLine(rng, 1 + Math.floor(rng() * 300)));
        const f = FIXTURES[i % FIXTURES.length];
        if (f === undefined) continue;
        const got = run(lines.join('\n'), f.runtime);
        expectSane(got.events);
        expect(got.unreadable.count).toBe(lines.length);
      }
    },
    SLOW,
  );
});
