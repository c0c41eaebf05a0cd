// Docker json-file logs as files on a host (runtime-log-source.ts over docker-json-log.ts): docker's
// rotation (moby daemon/logger/loggerutils/logfile.go: `max-file` ≥ 2 renames `<id>-json.log` to
// `.1` and opens a new file; `max-file` 1 unlinks it and opens a new one; docker before that change
// truncated in place), a torn last entry completed later, and agent restarts (a clean stop, or a
// kill without one) — every job end exactly once, in order. Entries are written by
// test/support/docker-json-file.ts (no docker daemon here; see docker-json-log.test.ts).
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonFileEntry } from '../../test/support/docker-json-file.js';
import { createRuntimeLogSource, type RuntimeLogSource } from './runtime-log-source.js';

const root = mkdtempSync(join(tmpdir(), 'rw-docker-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const T0 = BigInt(Date.UTC(2026, 2, 4, 5, 6, 7)) * 1_000_000n;
let n = 0;

/** A container's log directory and a follower factory over `<id>-json.log` (one state dir: restarts resume). */
function container(): { path: string; start: () => { s: RuntimeLogSource; events: RuntimeEvent[] } } {
  const d = join(root, String(n++));
  mkdirSync(d);
  const path = join(d, 'c0ffee-json.log');
  return {
    path,
    start: () => {
      const events: RuntimeEvent[] = [];
      const s = createRuntimeLogSource({
        runtime: 'comfyui',
        path,
        stateDir: join(d, 'state'),
        log: { warn: () => undefined },
        onEvent: (e) => events.push(e),
      });
      return { s, events };
    },
  };
}

/** The entry of `Prompt executed in <s> seconds` at T0 + s seconds. */
const job = (s: number): Buffer =>
  jsonFileEntry(Buffer.from(`Prompt executed in ${s.toFixed(2)} seconds\n`), s % 2 === 0 ? 'stderr' : 'stdout', T0 + BigInt(s) * 1_000_000_000n);
const jobs = (...s: number[]): Buffer => Buffer.concat(s.map(job));
const ends = (evs: readonly RuntimeEvent[]): number[] => evs.flatMap((e) => (e.kind === 'job_end' ? [(e as { duration_s: number }).duration_s] : []));
const pollN = (s: RuntimeLogSource, k = 3): void => {
  for (let i = 0; i < k; i++) s.pollOnce();
};

describe('docker json-file logs on disk', () => {
  it('rotation with max-file ≥ 2 (renamed to .1, a new file): the old file’s end, then the new one', () => {
    const c = container();
    writeFileSync(c.path, jobs(1, 2, 3));
    const a = c.start();
    a.s.pollOnce();
    appendFileSync(c.path, job(4));
    renameSync(c.path, `${c.path}.1`);
    writeFileSync(c.path, jobs(5, 6));
    pollN(a.s);
    a.s.stop();
    expect(ends(a.events)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.events.find((e) => ends([e])[0] === 5)?.ts).toBe('2026-03-04T05:06:12Z');
    expect(a.s.unreadableLines()).toBe(0);
  });

  it('rotated while the agent was down: the rest of .1 (found by inode), then the new file; each entry once', () => {
    const c = container();
    writeFileSync(c.path, jobs(1, 2));
    const a = c.start();
    pollN(a.s);
    a.s.stop();
    appendFileSync(c.path, jobs(3, 4));
    renameSync(c.path, `${c.path}.1`);
    writeFileSync(c.path, jobs(5));
    const b = c.start();
    pollN(b.s);
    b.s.stop();
    expect([ends(a.events), ends(b.events)]).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('max-file 1 (current docker unlinks the file and opens a new one) and older docker’s truncation in place', () => {
    const c = container();
    writeFileSync(c.path, jobs(1, 2));
    const a = c.start();
    a.s.pollOnce();
    appendFileSync(c.path, jobs(3));
    unlinkSync(c.path); // the open descriptor still reads the rest
    writeFileSync(c.path, jobs(4, 5));
    pollN(a.s);
    // older docker: O_TRUNC on the same inode; seen when the file is shorter than the position read
    // at the next poll (so is a plain log's copytruncate)
    truncateSync(c.path, 0);
    appendFileSync(c.path, jobs(6));
    pollN(a.s);
    a.s.stop();
    expect(ends(a.events)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('the format is decided again for each new file: json-file rotated to a plain log', () => {
    const c = container();
    writeFileSync(c.path, jobs(1));
    const a = c.start();
    a.s.pollOnce();
    renameSync(c.path, `${c.path}.1`);
    writeFileSync(c.path, 'got prompt\nPrompt executed in 7.00 seconds\n');
    pollN(a.s);
    renameSync(c.path, `${c.path}.2`);
    writeFileSync(c.path, jobs(8));
    pollN(a.s);
    a.s.stop();
    expect(ends(a.events)).toEqual([1, 7, 8]);
    expect(a.s.unreadableLines()).toBe(0);
  });

  it('a torn last entry is held until docker completes it (also across an agent killed meanwhile): read once, nothing counted', () => {
    const c = container();
    const two = job(2);
    writeFileSync(c.path, Buffer.concat([job(1), two.subarray(0, 30)]));
    const a = c.start();
    pollN(a.s);
    expect(ends(a.events)).toEqual([1]);
    appendFileSync(c.path, two.subarray(30, 50));
    pollN(a.s);
    // killed here (no stop): the position committed by the last poll is where b resumes
    const b = c.start();
    appendFileSync(c.path, Buffer.concat([two.subarray(50), job(3)]));
    pollN(b.s);
    b.s.stop();
    expect([ends(a.events), ends(b.events)]).toEqual([[1], [2, 3]]);
    expect(a.s.unreadableLines() + b.s.unreadableLines()).toBe(0);
    a.s.stop();
  });

  it('an agent killed while a split line’s first entries are held: after the restart the line is read whole, once', () => {
    const c = container();
    writeFileSync(
      c.path,
      Buffer.concat([
        job(1),
        jsonFileEntry(Buffer.from('Prompt executed in 1'), 'stdout', T0 + 9_000_000_000n),
        jsonFileEntry(Buffer.from('2.2'), 'stdout', T0 + 9_000_000_000n),
      ]),
    );
    const a = c.start();
    a.s.pollOnce(); // (idle polls later would emit the held chunks as a line of their own, like containerd's)
    // the job-1 record waits for a continuation, the chunks for their line: nothing out, position before both
    expect(ends(a.events)).toEqual([]);
    const b = c.start(); // a killed
    appendFileSync(c.path, Buffer.concat([jsonFileEntry(Buffer.from('5 seconds\n'), 'stdout', T0 + 9_000_000_000n), job(3)]));
    pollN(b.s);
    b.s.stop();
    expect(ends(b.events)).toEqual([1, 12.25, 3]);
    expect(b.events[1]?.ts).toBe('2026-03-04T05:06:16Z');
    a.s.stop();
  });
});
