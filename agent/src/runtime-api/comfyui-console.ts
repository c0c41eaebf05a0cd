// ComfyUI's console as the API serves it (`GET /internal/logs/raw`, and `logs` websocket frames
// after `PATCH /internal/logs/subscribe`, docs/research/runtime-logs.md "2.1 ComfyUI"): `{t, m}` entries where `m` is one raw
// write (a partial line, a tqdm `\r` update, several lines). This re-assembles lines, puts the
// write's time in front the way ComfyUI's own log export does (`<iso> - `), and feeds the same
// record assembler + ComfyUI parser (with its redaction) as a log file, so the same events come out.
// Job, and node-cache events are left to /history, which sees every prompt with its id (the
// adapter would otherwise count each job twice). Lines that are not text (NUL bytes, U+FFFD from
// bytes that were not UTF-8, over 64 Ki characters) are counted like a log file's
// (`unreadableLines`, served as renderwatch_runtime_log_unreadable_lines_total{runtime="comfyui"}).
import type { RuntimeEvent } from '@renderwatch/schema';
import { z } from 'zod';
import type { LogRecord } from '../runtime-logs/log-record.js';
import { createParserSession } from '../runtime-logs/parser-session.js';
import { createRecordAssembler } from '../runtime-logs/record-assembler.js';
import { HISTORY_OWNED_KINDS } from '../sources/comfyui-pairing.js';

export const LogEntrySchema = z.object({ t: z.string(), m: z.string() });
export type LogEntry = z.infer<typeof LogEntrySchema>;
export const RawLogsSchema = z.object({ entries: z.array(LogEntrySchema) });
export const LogsFrameSchema = z.object({ type: z.literal('logs'), data: z.object({ entries: z.array(LogEntrySchema) }) });

// Kinds /history reports instead of the console: one list for the console stream and a paired log file.
export { HISTORY_OWNED_KINDS } from '../sources/comfyui-pairing.js';

/**
 * What the record assembler reads of a line: a line cut here still has the write's time in front
 * (only a line that starts with a tqdm `\r` has none), so it is over the assembler's limit and the
 * assembler counts it unreadable as in a file (not when a `\r` lets it keep the last redraws).
 */
const MAX_LINE = 64 * 1024;
const ISO_LOCAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?/;

export interface ConsoleFeed {
  /**
   * Entries in server order. `snapshot` (the `/internal/logs/raw` backfill) skips what was fed
   * before: entries at or before the newest time fed (persisted across agent restarts). `stream`
   * entries (`logs` frames) are new by construction and always fed. A snapshot also ends the
   * record in progress.
   */
  push(entries: readonly LogEntry[], mode: 'snapshot' | 'stream'): RuntimeEvent[];
  /** No new entries since the last call: emit records held back for continuation lines. */
  idle(): RuntimeEvent[];
  /** The process is gone: everything held, including a last line without its newline. */
  finish(): RuntimeEvent[];
  /** Time of the newest entry fed (persisted so an agent restart does not feed it again). */
  watermark(): string | undefined;
  /** Lines that were not text the parser could read whole (binary, NUL runs, invalid UTF-8, over 64 Ki characters), skipped or cut and counted. */
  unreadableLines(): number;
  /** Lines in a known format with impossible values (a 9 EB download), counted, never events. */
  parseErrors(): number;
}

export function createConsoleFeed(opts: { watermark?: string } = {}): ConsoleFeed {
  const session = createParserSession('comfyui');
  const assembler = createRecordAssembler({ unreadable: session.unreadable });
  let mark = opts.watermark;
  let line = '';
  let lineTs: string | undefined;
  let fresh = false;

  const take = (recs: readonly LogRecord[], out: RuntimeEvent[]): void => {
    for (const r of recs) for (const e of session.record(r)) if (!HISTORY_OWNED_KINDS.has(e.kind)) out.push(e);
  };
  const endLine = (out: RuntimeEvent[]): void => {
    // A line that starts with `\r` is a tqdm redraw: the assembler keeps its last state, which a
    // prefix in front of the first state would hide; such records go without a time.
    const ts = lineTs === undefined || line.startsWith('\r') ? undefined : ISO_LOCAL.exec(lineTs)?.[0];
    take(assembler.push(ts === undefined ? line : `${ts} - ${line}`), out);
    line = '';
    lineTs = undefined;
  };

  return {
    push(entries, mode) {
      const out: RuntimeEvent[] = [];
      const fedUpTo = mode === 'snapshot' ? mark : undefined;
      for (const e of entries) {
        if (fedUpTo !== undefined && e.t <= fedUpTo) continue;
        if (mark === undefined || e.t > mark) mark = e.t;
        fresh = true;
        let from = 0;
        for (;;) {
          const nl = e.m.indexOf('\n', from);
          const piece = e.m.slice(from, nl < 0 ? undefined : nl);
          if (piece !== '' && line === '') lineTs = e.t;
          line += piece;
          if (line.length > MAX_LINE) line = line.slice(line.length - MAX_LINE);
          if (nl < 0) break;
          endLine(out);
          from = nl + 1;
        }
      }
      // The backfill is the past: its last record is complete (a runtime start held by the parser
      // until the server-ready line must be out before the adapter decides who reports the start).
      if (mode === 'snapshot') take(assembler.flush(), out);
      return out;
    },
    idle() {
      const out: RuntimeEvent[] = [];
      if (!fresh) take(assembler.flush(), out);
      fresh = false;
      return out;
    },
    finish() {
      const out: RuntimeEvent[] = [];
      if (line !== '') endLine(out);
      take(assembler.flush(), out);
      for (const e of session.finish()) if (!HISTORY_OWNED_KINDS.has(e.kind)) out.push(e);
      return out;
    },
    watermark: () => mark,
    unreadableLines: () => session.unreadable.count,
    parseErrors: () => session.parseErrors.count,
  };
}

/**
 * The feed of a server whose log file reports its console (paired, sources/comfyui-pairing.ts):
 * the log's lines are parsed once, by the log follower, so the console's are not parsed again. It
 * only keeps the newest entry's time, so an agent that stops pairing does not feed the past again.
 */
export function createWatermarkOnlyFeed(opts: { watermark?: string } = {}): ConsoleFeed {
  let mark = opts.watermark;
  return {
    push(entries) {
      for (const e of entries) if (mark === undefined || e.t > mark) mark = e.t;
      return [];
    },
    idle: () => [],
    finish: () => [],
    watermark: () => mark,
    unreadableLines: () => 0,
    parseErrors: () => 0,
  };
}
