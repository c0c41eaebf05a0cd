// The spool's durability calls, observed at the file system: a cut, a whole batch and a new segment's
// snapshot are fdatasync'd before the call returns (a new segment also fsyncs its directory, whose
// descriptor is closed again), rows and GONE frames are not, and `fsync: false` syncs nothing. A write
// that fails or comes back short is cut off again, and the spool goes on writing right after the last
// whole frame, so nothing written before or after it is lost.
import type * as NodeFs from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Spool } from './spool.js';
import { gpu, header, open, rows, tempDirs } from './spool-test-kit.js';

const fsCalls = vi.hoisted(() => ({ calls: [] as string[], fail: undefined as 'short' | 'error' | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  const kind = (fd: number): string => (fs.fstatSync(fd).isDirectory() ? 'dir' : 'file');
  return {
    ...fs,
    writeSync: (fd: number, buf: Buffer, off: number, len: number, pos: number): number => {
      fsCalls.calls.push(`write ${buf[0]}`);
      const how = fsCalls.fail;
      fsCalls.fail = undefined;
      if (how === undefined) return fs.writeSync(fd, buf, off, len, pos);
      const n = fs.writeSync(fd, buf, off, len >> 1, pos); // half of the frame reaches the file
      if (how === 'error') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return n;
    },
    fdatasyncSync: (fd: number): void => {
      fsCalls.calls.push(`fdatasync ${kind(fd)}`);
      fs.fdatasyncSync(fd);
    },
    fsyncSync: (fd: number): void => {
      fsCalls.calls.push(`fsync ${kind(fd)}`);
      fs.fsyncSync(fd);
    },
    closeSync: (fd: number): void => {
      fsCalls.calls.push(`close ${kind(fd)}`);
      fs.closeSync(fd);
    },
  };
});

const tmp = tempDirs('rw-spool-sync-');
beforeEach(() => {
  fsCalls.calls = [];
  fsCalls.fail = undefined;
});
/** The calls since the last look. */
function taken(): string[] {
  return fsCalls.calls.splice(0);
}
const segSize = (dir: string): number => statSync(join(dir, readdirSync(dir)[0] as string)).size;
const shapes = (s: Spool): (number | undefined)[][] => s.head(10).map((b) => [b.seq, b.load()?.gpuSamples.length]);

describe('spool durability', () => {
  it('syncs a new segment and its directory, a cut and a whole batch, but not rows or GONE frames', () => {
    const s = open(tmp(), { segmentBytes: 1 });
    // frame types: 1 ROWS, 2 CUT, 3 BATCH, 4 GONE, 5 SNAPSHOT
    expect(taken()).toEqual(['write 5', 'fdatasync file', 'fsync dir', 'close dir']);
    s.appendRows(rows(2), 2, 0);
    expect(taken()).toEqual(['write 1']);
    s.cut(header(1)); // and segment 2 starts
    expect(taken()).toEqual(['write 2', 'fdatasync file', 'write 5', 'fdatasync file', 'fsync dir', 'close dir']);
    s.ack(1); // segment 1 is deleted
    expect(taken()).toEqual(['write 4', 'close file']);
    const big = open(tmp());
    taken();
    big.append({ ...header(2), gpuSamples: [gpu(0)] });
    expect(taken()).toEqual(['write 3', 'fdatasync file']);
  });

  it('with fsync off writes the same frames and syncs nothing', () => {
    const s = open(tmp(), { segmentBytes: 1, fsync: false });
    s.appendRows(rows(2), 2, 0);
    s.cut(header(1));
    s.append({ ...header(2), gpuSamples: [gpu(0)] });
    s.ack(1);
    expect(taken()).toEqual(['write 5', 'write 1', 'write 2', 'write 5', 'write 3', 'write 5', 'write 4', 'close file']);
  });

  for (const how of ['short', 'error'] as const) {
    it(`cuts off a ${how === 'short' ? 'short write' : 'failed write'} and goes on after the last whole frame`, () => {
      const dir = tmp();
      const s = open(dir);
      s.appendRows(rows(2), 2, 0);
      s.cut(header(1));
      const before = segSize(dir);
      fsCalls.fail = how;
      expect(() => s.appendRows(rows(3), 3, 0)).toThrow(how === 'short' ? /short write/ : /ENOSPC/);
      expect(segSize(dir)).toBe(before);
      expect(s.openRows).toBe(0);
      s.appendRows(rows(4), 4, 0);
      s.cut(header(2));
      expect(shapes(s)).toEqual([
        [1, 2],
        [2, 4],
      ]);
      expect(shapes(open(dir))).toEqual([
        [1, 2],
        [2, 4],
      ]);
    });
  }
});
