// SIGKILL between a ROWS frame and the next cut, at the spool level: a kill is a spool that is never
// closed or cut again (no close, no timer, no flush runs), and the next agent opens the same
// directory. Killed twice before a cut, with and without a new segment started just before the rows,
// with an ack in between: every row taken is cut into the next batch, in order, with the log
// position written with it, and nothing is counted as dropped.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Spool } from './spool.js';
import { encodeRows, gpu, header, headerBytes, jobEvent, open as openAt, tempDirs } from './spool-test-kit.js';

const tmp = tempDirs('rw-spool-kill-');
/** `samples` GPU samples stamped ts, ts+1, ... and `evs` events named after ts. */
const rows = (ts: number, samples: number, evs: number): Uint8Array =>
  encodeRows({
    gpuSamples: Array.from({ length: samples }, (_, i) => gpu(i, { tsUnixMs: ts + i, index: 0, uuid: 'GPU-0' })),
    events: Array.from({ length: evs }, (_, i) => jobEvent(ts + i, `j${ts}-${i}`)),
  });

describe('spool after SIGKILL between rows and the next cut', () => {
  for (const segmentBytes of [1, 1 << 20]) {
    it(`keeps every row taken, across two kills before a cut (${segmentBytes === 1 ? 'a new segment before the rows' : 'one segment'})`, () => {
      const dir = tmp();
      const open = (): Spool => openAt(dir, { segmentBytes });
      const r1 = rows(1000, 3, 0);
      const r2 = rows(2000, 2, 1);
      const r3 = rows(3000, 1, 2);

      const a = open();
      a.appendRows(r1, 3, 0, { log: { ino: 5, offset: 100 } });
      expect(a.cut(header(1))).toBe(true);
      a.appendRows(r2, 2, 1, { log: { ino: 5, offset: 250 } });
      // SIGKILL: `a` is dropped as is.
      const segments = readdirSync(dir).length;
      expect(segments).toBe(segmentBytes === 1 ? 2 : 1);

      const b = open();
      expect([b.openRows, b.nextSeq, b.checkpoint('log')]).toEqual([3, 2, { ino: 5, offset: 250 }]);
      expect(b.stats()).toEqual({ batches: 1, bytes: headerBytes(1) + r1.length, droppedSamples: 0, droppedEvents: 0 });
      b.ack(1); // the collector acked batch 1 meanwhile
      b.appendRows(r3, 1, 2, { log: { ino: 5, offset: 400 } });
      // SIGKILL again, still before a cut.

      const c = open();
      expect([c.openRows, c.nextSeq, c.checkpoint('log'), c.size]).toEqual([6, 2, { ino: 5, offset: 400 }, 0]);
      expect(c.cut(header(2))).toBe(true);
      expect(c.stats()).toEqual({ batches: 1, bytes: headerBytes(2) + r2.length + r3.length, droppedSamples: 0, droppedEvents: 0 });
      const [batch] = c.head(5);
      const req = batch?.load();
      expect([batch?.seq, batch?.rows, req?.batchSeq, req?.agentId]).toEqual([2, 6, 2, 'a1']);
      expect(req?.gpuSamples.map((g) => g.tsUnixMs)).toEqual([2000, 2001, 3000]);
      expect(req?.events.map((e) => (e.body?.$case === 'jobStart' ? e.body.value.jobId : ''))).toEqual(['j2000-0', 'j3000-0', 'j3000-1']);

      // And once more after the cut: the batch, not its rows again.
      const d = open();
      expect([d.openRows, d.nextSeq, d.size, d.head(5)[0]?.load()]).toEqual([0, 3, 1, req]);
    });
  }
});
