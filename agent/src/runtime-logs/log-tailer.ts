// Follows one log file by polling: rotation (new inode at the path), truncation (size < offset),
// ComfyUI-Manager's rename to comfyui.prev.log on every start (the rest of the old file is read
// first, found by inode in the same directory). Hands out complete lines with their byte offsets;
// the caller says which offset is safe (`commit`), and that offset + inode are kept in a small
// state file so an agent restart resumes there instead of re-reading from the beginning.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface TailState {
  readonly ino: number;
  readonly offset: number;
}

export interface TailerOptions {
  readonly path: string;
  /** Where offset+inode are kept; none → start per `startAt` every time. */
  readonly statePath?: string;
  /**
   * Instead of the state file: where positions are kept (the agent's spool, which writes a position
   * in the same write as the events read before it). `load` falls back to `statePath` when it has
   * none (a state file of an earlier version); `save` replaces writing the state file.
   */
  readonly positions?: { load(): TailState | undefined; save(s: TailState): void };
  /** Only for a file never seen before (no state): read it whole or only what comes next. */
  readonly startAt?: 'beginning' | 'end';
  /**
   * Bytes per read(2) (a poll reads until the end of the file); the one read buffer of this size is
   * kept and reused, so a poll allocates no buffer (a fresh 1 MB one per read was ~4 MB/s of
   * ArrayBuffer churn at a 500 ms poll).
   */
  readonly maxReadBytes?: number;
  /** A line longer than this without `\n` is cut at its last `\r` (tqdm) or handed out as is. */
  readonly maxLineBytes?: number;
}

export interface TailLine {
  readonly text: string;
  /** Byte offset where the line starts, and just past its `\n`. */
  readonly start: number;
  readonly end: number;
}

export interface LogTailer {
  /**
   * Reads what is new. `rotated`: after these lines the tailer moved to a different file (or the
   * file was truncated); the caller should flush what it holds, offsets restart at 0.
   */
  poll(): { lines: TailLine[]; rotated: boolean };
  /** Everything before `offset` of the current file is processed: persist it. */
  commit(offset: number): void;
  close(): void;
}

function readState(p: string | undefined): TailState | undefined {
  if (p === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(p, 'utf8'));
    if (typeof v === 'object' && v !== null && 'ino' in v && 'offset' in v && typeof v.ino === 'number' && typeof v.offset === 'number')
      return { ino: v.ino, offset: v.offset };
  } catch {
    // no state yet (or unreadable): start fresh
  }
  return undefined;
}

function writeState(p: string | undefined, s: TailState): void {
  if (p === undefined) return;
  const tmp = `${p}.tmp`;
  writeFileSync(tmp, JSON.stringify(s));
  renameSync(tmp, p);
}

/** A sibling of `path` with inode `ino` (the renamed old file), if any. */
function findByInode(path: string, ino: number): string | undefined {
  const dir = dirname(path);
  const stem = basename(path).replace(/\.log$/, '');
  try {
    for (const n of readdirSync(dir)) {
      if (!n.startsWith(stem)) continue;
      const p = join(dir, n);
      try {
        if (statSync(p).ino === ino) return p;
      } catch {
        // vanished meanwhile
      }
    }
  } catch {
    // directory unreadable
  }
  return undefined;
}

function open(path: string): { fd: number; ino: number; size: number } | undefined {
  try {
    const f = openSync(path, 'r');
    const st = fstatSync(f);
    return { fd: f, ino: st.ino, size: st.size };
  } catch {
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

export function createLogTailer(opts: TailerOptions): LogTailer {
  const maxRead = opts.maxReadBytes ?? 64 * 1024;
  const maxLine = opts.maxLineBytes ?? 256 * 1024;
  const decoder = new TextDecoder('utf-8');
  let fd: number | undefined;
  let ino = -1;
  let offset = 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryStart = 0;
  let readBuf: Buffer | undefined;
  let newFile = false;

  const saved = opts.positions?.load() ?? readState(opts.statePath);

  function startOn(f: { fd: number; ino: number }, at: number): void {
    if (fd !== undefined) closeSync(fd);
    fd = f.fd;
    ino = f.ino;
    offset = at;
    carry = Buffer.alloc(0);
    carryStart = at;
    newFile = true;
  }

  // First open: resume from state, finish a renamed predecessor, or start per `startAt`.
  function init(): void {
    const cur = open(opts.path);
    if (saved !== undefined && cur !== undefined && saved.ino === cur.ino) {
      startOn(cur, saved.offset <= cur.size ? saved.offset : 0);
      newFile = false;
      return;
    }
    if (saved !== undefined) {
      const old = findByInode(opts.path, saved.ino);
      const o = old === undefined ? undefined : open(old);
      if (o !== undefined) startOn(o, Math.min(saved.offset, o.size));
      newFile = false;
      if (o !== undefined) {
        if (cur !== undefined) closeSync(cur.fd);
        return;
      }
    }
    if (cur !== undefined) startOn(cur, saved === undefined && opts.startAt === 'end' ? cur.size : 0);
  }
  init();
  newFile = false;

  function readMore(out: TailLine[]): number {
    if (fd === undefined) return 0;
    readBuf ??= Buffer.allocUnsafe(maxRead);
    const buf = readBuf;
    const n = readSync(fd, buf, 0, maxRead, offset);
    if (n <= 0) return 0;
    offset += n;
    let data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let base = carryStart;
    let from = 0;
    for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
      out.push({ text: decoder.decode(data.subarray(from, nl)), start: base + from, end: base + nl + 1 });
      from = nl + 1;
    }
    data = data.subarray(from);
    base += from;
    if (data.length > maxLine) {
      // A runaway line (tqdm redrawing with `\r` only): hand out up to its last `\r`.
      const cr = data.lastIndexOf(13);
      const cut = cr > 0 ? cr + 1 : data.length;
      out.push({ text: decoder.decode(data.subarray(0, cut)), start: base, end: base + cut });
      data = data.subarray(cut);
      base += cut;
    }
    // a copy: `data` may be a view of the reused read buffer
    carry = data.length === 0 ? EMPTY : Buffer.from(data);
    carryStart = base;
    return n;
  }

  return {
    poll() {
      const lines: TailLine[] = [];
      if (fd === undefined) {
        // the file appeared after the tailer started (the agent came up before the runtime): its
        // first lines are a start, not a rotation that should end the records held so far
        init();
        newFile = false;
      }
      if (fd === undefined) return { lines, rotated: false };
      while (readMore(lines) > 0 && lines.length < 10_000) {
        // keep reading while data is there (bounded per poll)
      }
      let st: { ino: number; size: number } | undefined;
      try {
        st = statSync(opts.path);
      } catch {
        st = undefined; // renamed away and not yet recreated: keep the old fd
      }
      const f = fd;
      if (st !== undefined && st.ino !== ino) {
        // rotated or renamed: the old file is finished (read above); follow the new one
        const cur = open(opts.path);
        if (cur !== undefined) {
          if (carry.length > 0) lines.push({ text: decoder.decode(carry), start: carryStart, end: carryStart + carry.length });
          startOn(cur, 0);
        }
      } else if (st !== undefined && st.size < offset && f !== undefined) {
        // truncated in place (copytruncate, `> file`)
        offset = 0;
        carry = Buffer.alloc(0);
        carryStart = 0;
        newFile = true;
      }
      const rotated = newFile;
      newFile = false;
      return { lines, rotated };
    },
    commit(at) {
      if (ino < 0) return;
      if (opts.positions !== undefined) opts.positions.save({ ino, offset: at });
      else writeState(opts.statePath, { ino, offset: at });
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
