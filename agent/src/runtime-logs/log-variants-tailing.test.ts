// Every recorded runtime log followed through real files as a writer delivers it: a byte per read
// (every read boundary, multi-byte characters split), and written in two parts at many offsets (a
// line split across writes, a final line without its `\n` for a while). The follower's events are
// a prefix of the clean recording's while the line is incomplete and equal them once it is whole.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { crlf, criPartials, loadLogFixtures, prng } from '../../test/support/log-variants.js';
import { parseLogText } from './parser-session.js';
import { createRuntimeLogSource } from './runtime-log-source.js';

const FIXTURES = loadLogFixtures();
const dir = mkdtempSync(join(tmpdir(), 'rw-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = { warn: () => undefined };
const noTs = (evs: readonly RuntimeEvent[]): object[] => evs.map(({ ts: _ts, ...rest }) => rest);
const SLOW = 60_000;
let n = 0;

/** A follower over a fresh file holding `first`; `then` is appended after the first poll. */
function follow(runtime: RuntimeName, first: Buffer, then: Buffer, maxReadBytes?: number): { early: RuntimeEvent[]; all: RuntimeEvent[] } {
  const sub = join(dir, String(n++));
  const path = join(sub, 'runtime.log');
  const all: RuntimeEvent[] = [];
  const s = createRuntimeLogSource({
    runtime,
    path,
    stateDir: sub,
    log: silent,
    onEvent: (e) => all.push(e),
    ...(maxReadBytes === undefined ? {} : { maxReadBytes }),
  });
  writeFileSync(path, first);
  s.pollOnce();
  const early = [...all];
  appendFileSync(path, then);
  s.pollOnce();
  s.stop();
  rmSync(sub, { recursive: true, force: true });
  return { early, all };
}

describe('runtime-log follower over every recorded log, split anywhere', () => {
  it(
    'a byte per read: the events of the clean recording (also CRLF and CRI partial lines)',
    () => {
      for (const f of FIXTURES) {
        const want = parseLogText(f.text, f.runtime, { downloads: true });
        for (const [name, text] of [
          ['plain', f.text],
          ['crlf', crlf(f.text)],
          ['cri', criPartials(f.text, 33)],
        ] as const) {
          const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
          const got = follow(f.runtime, bytes, Buffer.alloc(0), 1 + (bytes.length % 3));
          expect(noTs(got.all), `${f.name} ${name}`).toEqual(noTs(want));
        }
      }
    },
    SLOW,
  );

  it(
    'written in two parts at any byte: a prefix of the events until the rest comes, then all of them',
    () => {
      for (const f of FIXTURES) {
        const text = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
        const bytes = Buffer.from(text);
        const want = parseLogText(text, f.runtime, { downloads: true });
        const rng = prng(bytes.length);
        // every line end and its neighbours, plus random offsets (inside multi-byte characters too)
        const cuts = new Set<number>();
        for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) for (const d of [0, 1]) cuts.add(i + d);
        for (let i = 0; i < 12; i++) cuts.add(Math.floor(rng() * bytes.length));
        for (const at of [...cuts].filter((c) => c > 0 && c < bytes.length)) {
          const got = follow(f.runtime, bytes.subarray(0, at), bytes.subarray(at));
          const where = `${f.name} cut at byte ${at}`;
          expect(got.all, where).toEqual(want);
          expect(got.early, where).toEqual(want.slice(0, got.early.length));
        }
      }
    },
    SLOW,
  );
});
