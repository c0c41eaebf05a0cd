// What the spool tells the operator, exactly: one line per dropped batch (why, what was lost, the
// totals so far; a warning for a limit, an error for a batch that could not be read), one for samples
// stripped from a mixed batch, one for a torn tail cut off, one for uncut rows dropped from an older
// segment, and the "recovered" line only when there was something to recover.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Spool } from './spool.js';
import { snapshotFrame } from './spool-frames.js';
import { header, headerBytes, opener, rows as rowsAt, T, tempDirs } from './spool-test-kit.js';

const WARN = 40;
const ERROR = 50;
const INFO = 30;
type Line = Record<string, unknown>;
let lines: Line[] = [];
const log = pino({ level: 'trace', base: null, timestamp: false }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
const tmp = tempDirs('rw-spool-log-');
afterEach(() => {
  lines = [];
});
const open = opener(log);
/** `samples` GPU samples and `evs` events, all stamped T. */
const rows = (samples: number, evs: number): Uint8Array => rowsAt(samples, evs, { tsUnixMs: T });
function cutBatch(s: Spool, seq: number, samples: number, evs = 0): void {
  s.appendRows(rows(samples, evs), samples, evs);
  s.cut(header(seq));
}
const cutBytes = (seq: number, samples: number, evs = 0): number => headerBytes(seq) + rows(samples, evs).length;
/** The lines from `level` up, without pino's own keys. */
const said = (level = INFO): Line[] => lines.filter((l) => (l['level'] as number) >= level);
const segment = (dir: string): string => join(dir, readdirSync(dir).find((f) => f.startsWith('seg-')) as string);

const recovered = (batches: number, bytes: number, openRows: number, nextSeq: number): Line => ({
  level: INFO,
  module: 'export.spool',
  batches,
  bytes,
  openRows,
  nextSeq,
  msg: 'spool recovered, resending unacked batches',
});

describe('spool log lines', () => {
  it('warns once per batch dropped for the size limit, with what it held and the totals', () => {
    const s = open(tmp(), { maxBytes: cutBytes(2, 0, 1) });
    cutBatch(s, 1, 3);
    cutBatch(s, 2, 0, 1);
    cutBatch(s, 3, 0, 1);
    expect(said()).toEqual([
      {
        level: WARN,
        module: 'export.spool',
        batchSeq: 1,
        samples: 3,
        events: 0,
        why: 'size',
        droppedSamples: 3,
        droppedEvents: 0,
        msg: 'spool limit reached, batch dropped',
      },
      {
        level: WARN,
        module: 'export.spool',
        batchSeq: 2,
        samples: 0,
        events: 1,
        why: 'size',
        droppedSamples: 3,
        droppedEvents: 1,
        msg: 'spool limit reached, batch dropped',
      },
    ]);
  });

  it('warns for a batch dropped for its age', () => {
    let now = T;
    const s = open(tmp(), { maxAgeMs: 1000, now: () => now });
    cutBatch(s, 1, 2, 1);
    now += 1001;
    expect(s.head(5)).toEqual([]);
    expect(said()).toEqual([
      {
        level: WARN,
        module: 'export.spool',
        batchSeq: 1,
        samples: 2,
        events: 1,
        why: 'age',
        droppedSamples: 2,
        droppedEvents: 1,
        msg: 'spool limit reached, batch dropped',
      },
    ]);
  });

  it('warns when samples are stripped from a mixed batch, and errs when a batch cannot be read back', () => {
    const dir = tmp();
    const s = open(dir, { maxBytes: cutBytes(1, 4, 1) + cutBytes(2, 0, 1) - 1 });
    cutBatch(s, 1, 4, 1);
    cutBatch(s, 2, 0, 1);
    expect(said()).toEqual([
      { level: WARN, module: 'export.spool', batchSeq: 1, samples: 4, droppedSamples: 4, msg: 'spool limit reached, samples dropped, events kept' },
    ]);
    lines = [];
    const data = readFileSync(segment(dir));
    data[data.lastIndexOf(Buffer.from('a1'))] = 0x58; // the last frame: batch 1 rewritten without its samples
    writeFileSync(segment(dir), data);
    expect(s.head(5).map((b) => [b.seq, b.load() === undefined])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(said()).toEqual([
      {
        level: ERROR,
        module: 'export.spool',
        batchSeq: 1,
        samples: 0,
        events: 1,
        why: 'frames not intact',
        droppedSamples: 4,
        droppedEvents: 1,
        msg: 'spooled batch unreadable, dropped',
      },
    ]);
  });

  it('errs when a mixed batch it must strip cannot be read', () => {
    const dir = tmp();
    const s = open(dir, { maxBytes: cutBytes(1, 2, 1) + cutBytes(2, 0, 1) - 1 });
    cutBatch(s, 1, 2, 1);
    const data = readFileSync(segment(dir));
    data[data.indexOf(Buffer.from('GPU-1'))] = 0x58;
    writeFileSync(segment(dir), data);
    cutBatch(s, 2, 0, 1);
    expect(said()).toEqual([
      {
        level: ERROR,
        module: 'export.spool',
        batchSeq: 1,
        samples: 2,
        events: 1,
        why: 'unreadable',
        droppedSamples: 2,
        droppedEvents: 1,
        msg: 'spooled batch unreadable, dropped',
      },
    ]);
  });

  it('says what it recovered at open, and nothing when there was nothing to recover', () => {
    const dir = tmp();
    const a = open(dir);
    expect(said()).toEqual([]);
    cutBatch(a, 1, 2, 1);
    open(dir);
    expect(said()).toEqual([recovered(1, cutBytes(1, 2, 1), 0, 2)]);
    lines = [];
    a.ack(1);
    open(dir);
    expect(said()).toEqual([]);
    a.appendRows(rows(1, 1), 1, 1); // only rows not cut yet
    open(dir);
    expect(said()).toEqual([recovered(0, 0, 2, 2)]);
    lines = [];
    a.appendRows(rows(3, 1), 3, 1);
    open(dir);
    expect(said()).toEqual([recovered(0, 0, 6, 2)]);
  });

  it('warns once for a torn tail, with where it starts and how long it was', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 1, 1);
    const whole = readFileSync(segment(dir));
    writeFileSync(segment(dir), Buffer.concat([whole, Buffer.alloc(40)]));
    open(dir);
    const name = readdirSync(dir)[0];
    expect(said(WARN)).toEqual([
      { level: WARN, module: 'export.spool', segment: name, at: whole.length, bytes: 40, msg: 'spool segment has a torn tail (crash or power loss); cut off' },
    ]);
    lines = [];
    open(dir);
    expect(said(WARN)).toEqual([]);
  });

  it('errs for rows never cut in an older segment, and says nothing of older segments without them', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 1 });
    cutBatch(a, 1, 1);
    cutBatch(a, 2, 1);
    open(dir, { segmentBytes: 1 });
    expect(said(WARN)).toEqual([]);
    a.appendRows(rows(2, 1), 2, 1); // in segment 3, then a segment 4 appears after it
    writeFileSync(join(dir, 'seg-0000000000000004.log'), snapshotFrame(JSON.stringify({ lastSeq: 2, checkpoints: {}, gone: [] })));
    open(dir, { segmentBytes: 1 });
    expect(said(WARN)).toEqual([
      {
        level: ERROR,
        module: 'export.spool',
        segment: 'seg-0000000000000003.log',
        samples: 2,
        events: 1,
        msg: 'uncut rows in an older spool segment, dropped',
      },
    ]);
  });
});
