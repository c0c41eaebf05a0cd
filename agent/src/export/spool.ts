// The on-disk spool: every batch is written here (fsync'd) before it is sent and deleted only when
// the collector acks it, so a collector outage or an agent restart loses nothing and reorders
// nothing. Bounded by size and age: when over the size limit the oldest *samples* go first (a
// batch that also holds events is rewritten without its samples), events last; every drop is
// counted. The last batch_seq used is persisted, so a restarted agent continues after it and
// resends what is spooled with the same batch_seq.
//
// Layout: <dir>/<seq:16>-<createdMs>-<samples>-<events>.pb (an encoded ExportRequest) and
// <dir>/last-seq. Writes go to a temp file, fsync, rename, fsync of the directory.
// File I/O is synchronous on purpose: one small file per flush interval, and the ordering of
// append → send → ack stays trivially correct.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import type { BatchStore, StoredBatch } from './batch-store.js';

export interface SpoolOptions {
  dir: string;
  /** Size limit of all spooled batches, bytes. */
  maxBytes: number;
  /** Batches older than this are dropped, ms. */
  maxAgeMs: number;
  log: Logger;
  now?: () => number;
  /** fsync every write (default true; off only for simulations of many agents). */
  fsync?: boolean;
}

export interface SpoolStats {
  batches: number;
  bytes: number;
  /** GPU and host samples dropped because of the size or age limit since start. */
  droppedSamples: number;
  /** Runtime events and GPU status events dropped since start. */
  droppedEvents: number;
}

export interface Spool extends BatchStore {
  /** The batch_seq the next batch must use: after every seq this spool ever held. */
  readonly nextSeq: number;
  /** Persists a batch (fsync'd) and enforces the limits. Its batch_seq must be >= nextSeq. */
  append(req: ExportRequest): void;
  stats(): SpoolStats;
}

interface Entry {
  seq: number;
  createdMs: number;
  samples: number;
  events: number;
  bytes: number;
  file: string;
}

const NAME = /^(\d{16})-(\d+)-(\d+)-(\d+)\.pb$/;
const SEQ_FILE = 'last-seq';

export function spoolFileName(e: Pick<Entry, 'seq' | 'createdMs' | 'samples' | 'events'>): string {
  return `${String(e.seq).padStart(16, '0')}-${e.createdMs}-${e.samples}-${e.events}.pb`;
}

export function parseSpoolFileName(name: string): Omit<Entry, 'bytes' | 'file'> | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  return { seq: Number(m[1]), createdMs: Number(m[2]), samples: Number(m[3]), events: Number(m[4]) };
}

const samplesOf = (r: ExportRequest): number => r.gpuSamples.length + r.hostSamples.length;
const eventsOf = (r: ExportRequest): number => r.events.length + r.gpuStatus.length;

export function openSpool(o: SpoolOptions): Spool {
  const now = o.now ?? Date.now;
  const sync = o.fsync ?? true;
  const log = o.log.child({ module: 'export.spool' });
  mkdirSync(o.dir, { recursive: true });
  const entries: Entry[] = [];
  let bytes = 0;
  let lastSeq = 0;
  let droppedSamples = 0;
  let droppedEvents = 0;

  function writeDurably(name: string, data: Uint8Array): void {
    const tmp = join(o.dir, `.${name}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, data);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(o.dir, name));
    if (sync) syncDir();
  }
  function syncDir(): void {
    const fd = openSync(o.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  function remove(e: Entry): void {
    rmSync(join(o.dir, e.file), { force: true });
    bytes -= e.bytes;
    entries.splice(entries.indexOf(e), 1);
  }
  function dropWhole(e: Entry, why: 'size' | 'age'): void {
    droppedSamples += e.samples;
    droppedEvents += e.events;
    remove(e);
    log.warn({ batchSeq: e.seq, samples: e.samples, events: e.events, why, droppedSamples, droppedEvents }, 'spool limit reached, batch dropped');
  }
  /** A spooled batch whose file can no longer be read: counted as dropped, never handed out again. */
  function dropLost(e: Entry, why: string): void {
    droppedSamples += e.samples;
    droppedEvents += e.events;
    bytes -= e.bytes;
    entries.splice(entries.indexOf(e), 1);
    rmSync(join(o.dir, e.file), { force: true });
    log.error({ batchSeq: e.seq, samples: e.samples, events: e.events, why, droppedSamples, droppedEvents }, 'spooled batch unreadable, dropped');
  }
  /** Rewrites a mixed batch without its samples; its events stay spooled. */
  function stripSamples(e: Entry): void {
    const req = ExportRequest.decode(readFileSync(join(o.dir, e.file)));
    const kept: ExportRequest = { ...req, gpuSamples: [], hostSamples: [] };
    const data = ExportRequest.encode(kept).finish();
    const next: Entry = { ...e, samples: 0, bytes: data.length, file: spoolFileName({ ...e, samples: 0 }) };
    writeDurably(next.file, data);
    rmSync(join(o.dir, e.file), { force: true });
    droppedSamples += e.samples;
    bytes += next.bytes - e.bytes;
    entries[entries.indexOf(e)] = next;
    log.warn({ batchSeq: e.seq, samples: e.samples, droppedSamples }, 'spool limit reached, samples dropped, events kept');
  }
  function enforceAge(): void {
    const oldest = now() - o.maxAgeMs;
    for (const e of entries.filter((x) => x.createdMs < oldest)) dropWhole(e, 'age');
  }
  function enforceSize(): void {
    while (bytes > o.maxBytes && entries.length > 0) {
      const samplesOnly = entries.find((e) => e.samples > 0 && e.events === 0);
      if (samplesOnly !== undefined) {
        dropWhole(samplesOnly, 'size');
        continue;
      }
      const mixed = entries.find((e) => e.samples > 0);
      if (mixed !== undefined) {
        stripSamples(mixed);
        continue;
      }
      const first = entries[0];
      if (first !== undefined) dropWhole(first, 'size');
    }
  }

  // Recover: temp files are half-written batches (never acknowledged as spooled) and go.
  for (const name of readdirSync(o.dir)) {
    if (name.endsWith('.tmp')) {
      rmSync(join(o.dir, name), { force: true });
      continue;
    }
    const parsed = parseSpoolFileName(name);
    if (parsed === undefined) continue;
    const size = readFileSync(join(o.dir, name)).length;
    entries.push({ ...parsed, bytes: size, file: name });
    bytes += size;
  }
  entries.sort((a, b) => a.seq - b.seq);
  let seqText = '';
  try {
    seqText = readFileSync(join(o.dir, SEQ_FILE), 'utf8').trim();
  } catch {
    seqText = '';
  }
  const persisted = /^\d+$/.test(seqText) ? Number(seqText) : 0;
  lastSeq = Math.max(persisted, entries.at(-1)?.seq ?? 0);
  // No state at all: the clock gives a start above anything an earlier, stateless run used.
  let nextSeq = lastSeq > 0 ? lastSeq + 1 : now();
  if (entries.length > 0) log.info({ batches: entries.length, bytes, firstSeq: entries[0]?.seq, nextSeq }, 'spool recovered, resending unacked batches');
  enforceAge();

  return {
    get nextSeq() {
      return nextSeq;
    },
    append(req) {
      const data = ExportRequest.encode(req).finish();
      const e: Entry = { seq: req.batchSeq, createdMs: now(), samples: samplesOf(req), events: eventsOf(req), bytes: data.length, file: '' };
      e.file = spoolFileName(e);
      writeDurably(e.file, data);
      if (req.batchSeq > lastSeq) {
        lastSeq = req.batchSeq;
        writeDurably(SEQ_FILE, Buffer.from(String(lastSeq)));
      }
      nextSeq = Math.max(nextSeq, lastSeq + 1);
      entries.push(e);
      bytes += e.bytes;
      enforceAge();
      enforceSize();
    },
    head(n) {
      enforceAge();
      return entries.slice(0, n).map((e): StoredBatch => ({
        seq: e.seq,
        load: () => {
          // Looked up again: the batch may have been dropped or stripped (renamed) meanwhile.
          const cur = entries.find((x) => x.seq === e.seq);
          if (cur === undefined) return undefined;
          let data: Buffer;
          try {
            data = readFileSync(join(o.dir, cur.file));
          } catch (err) {
            // Gone from disk (deleted by hand, the directory wiped): drop the entry for good, or the
            // sender would be handed it forever. Other read errors (EMFILE, EIO) are thrown: retried.
            if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
            dropLost(cur, 'file missing');
            return undefined;
          }
          try {
            return ExportRequest.decode(data);
          } catch {
            dropLost(cur, 'file not a batch');
            return undefined;
          }
        },
      }));
    },
    ack(seq) {
      const e = entries.find((x) => x.seq === seq);
      if (e !== undefined) remove(e);
    },
    get size() {
      return entries.length;
    },
    stats: () => ({ batches: entries.length, bytes, droppedSamples, droppedEvents }),
  };
}
