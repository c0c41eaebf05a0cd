// A /proc file the host sampler reads every tick, kept open and read again from offset 0: one
// pread(2) into a kept buffer instead of readFileSync's open + fstat + read + read + close and a new
// buffer each time (4 files a second). A /proc file's content is made afresh on each read from
// offset 0, so reading the same descriptor again gives the current values (a regular file rewritten
// in place, as the tests do, too).
import { closeSync, openSync, readSync } from 'node:fs';

/** Room left in the buffer below which a read may have stopped short of the end (a seq_file returns whole lines only). */
const HEADROOM = 4096;

export interface ProcFile {
  /** The file's whole current text; throws what open/read throw (the descriptor is closed and opened again on the next read). */
  read(): string;
  close(): void;
}

export function openProcFile(path: string, initialBytes = 16 << 10): ProcFile {
  let fd: number | undefined;
  let buf = Buffer.allocUnsafe(Math.max(initialBytes, 2 * HEADROOM));
  const close = (): void => {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
    fd = undefined;
  };
  return {
    read(): string {
      fd ??= openSync(path, 'r');
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, 0);
        } catch (err: unknown) {
          close();
          throw err;
        }
        // Less than the buffer minus a line's worth: the whole file. Otherwise read it again into a larger buffer.
        if (n <= buf.length - HEADROOM) return buf.toString('utf8', 0, n);
        buf = Buffer.allocUnsafe(buf.length * 4);
      }
    },
    close,
  };
}
