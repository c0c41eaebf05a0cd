// The spool of earlier agent versions: one file per batch, <seq:16>-<createdMs>-<samples>-<events>.pb,
// and <dir>/last-seq. On the first start of this version its unacked batches are moved into the
// segment spool (same batch_seq, so a batch the collector already has is answered "duplicate") and
// the old files are removed once the segment holding them is fsync'd.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';

const NAME = /^(\d{16})-(\d+)-(\d+)-(\d+)\.pb$/;
const SEQ_FILE = 'last-seq';

export function spoolFileName(e: { seq: number; createdMs: number; samples: number; events: number }): string {
  return `${String(e.seq).padStart(16, '0')}-${e.createdMs}-${e.samples}-${e.events}.pb`;
}

export function parseSpoolFileName(name: string): { seq: number; createdMs: number; samples: number; events: number } | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  return { seq: Number(m[1]), createdMs: Number(m[2]), samples: Number(m[3]), events: Number(m[4]) };
}

export interface LegacyBatches {
  batches: { req: ExportRequest; createdMs: number }[];
  /** The largest seq the old spool used (0: none). */
  lastSeq: number;
  /** Removes the old files: call once their batches are durably in the segment spool. */
  done(): void;
}

export function importLegacyBatches(dir: string, log: Logger): LegacyBatches {
  const files: string[] = [];
  const batches: LegacyBatches['batches'] = [];
  let lastSeq = 0;
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp') && name.startsWith('.')) {
      files.push(name); // a half-written batch of the old spool: never acknowledged as spooled
      continue;
    }
    if (name === SEQ_FILE) {
      const t = readFileSync(join(dir, name), 'utf8').trim();
      if (/^\d+$/.test(t)) lastSeq = Math.max(lastSeq, Number(t));
      files.push(name);
      continue;
    }
    const parsed = parseSpoolFileName(name);
    if (parsed === undefined) continue;
    files.push(name);
    lastSeq = Math.max(lastSeq, parsed.seq);
    try {
      batches.push({ req: ExportRequest.decode(readFileSync(join(dir, name))), createdMs: parsed.createdMs });
    } catch (err: unknown) {
      log.error({ err, file: name }, 'old spool file unreadable, dropped');
    }
  }
  batches.sort((a, b) => a.req.batchSeq - b.req.batchSeq);
  if (batches.length > 0) log.info({ batches: batches.length }, 'moving batches of the old file-per-batch spool into the segment spool');
  return {
    batches,
    lastSeq,
    done() {
      for (const f of files) rmSync(join(dir, f), { force: true });
    },
  };
}
