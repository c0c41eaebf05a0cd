// SD.Next console (rich handler) and sdnext.log parser (docs/research/runtime-logs.md "1.4 SD.Next").
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { num } from './units.js';

export interface SdnextState {
  failure: FailureState;
  start: { ts?: string; version?: string } | undefined;
  readyUrl: string | undefined;
}

const RUNTIME = 'sdnext';
const VERSION = /^Version: app=sd\.next(?: updated=(\S+))?(?: hash=(\S+))?(?: branch=(\S+))?/;
const LOAD = /^Load model: select="([^"[]+?)(?: \[(\w+)\])?"/;
const PROCESSED = /^Processed: images=(\d+)/;
const STARTUP = /^Startup time: (?:total=)?([\d.]+)/;
const ERR_INLINE = /([A-Za-z_][\w.]*(?:Error|Exception))(?::\s*(.*))?$/;

function at<T extends RuntimeEvent>(e: T, r: LogRecord): T {
  if (r.ts !== undefined) e.ts = r.ts;
  return e;
}

function emitStart(s: SdnextState, out: RuntimeEvent[]): void {
  if (s.start === undefined) return;
  const e: RuntimeEventOf<'runtime_start'> = { kind: 'runtime_start', runtime: RUNTIME };
  if (s.start.ts !== undefined) e.ts = s.start.ts;
  if (s.start.version !== undefined) e.version = s.start.version;
  s.start = undefined;
  out.push(e);
}

export const sdnextParser: RuntimeLogParser<SdnextState> = {
  runtime: RUNTIME,
  createState: () => ({ failure: createFailureState(), start: undefined, readyUrl: undefined }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    if (r.kind === 'traceback') {
      for (const e of reportFailure(RUNTIME, s.failure, exceptionOf(r) ?? {}, r.ts, { duringModelLoad: framesShowModelLoad(r) })) out.push(e);
      return out;
    }
    if (r.kind !== 'line') return out;
    // A failure is an ERROR record plus its rich traceback; the next INFO record starts afresh.
    if (r.level === 'INFO') resetFailure(s.failure);
    let m: RegExpExecArray | null;
    if (t.startsWith('Starting SD.Next')) {
      s.start = r.ts === undefined ? {} : { ts: r.ts };
      s.readyUrl = undefined;
    } else if ((m = VERSION.exec(t)) !== null) {
      const v = [
        m[1] === undefined ? undefined : `updated=${m[1]}`,
        m[2] === undefined ? undefined : `hash=${m[2]}`,
        m[3] === undefined ? undefined : `branch=${m[3]}`,
      ]
        .filter((x) => x !== undefined)
        .join(' ');
      if (s.start !== undefined && v !== '') s.start.version = v;
    } else if (t.startsWith('Local URL: ')) {
      s.readyUrl = t.slice(11).trim();
    } else if ((m = STARTUP.exec(t)) !== null) {
      emitStart(s, out);
      const e: RuntimeEventOf<'runtime_ready'> = at({ kind: 'runtime_ready', runtime: RUNTIME }, r);
      const v = num(m[1]);
      if (v !== undefined) e.startup_s = v;
      if (s.readyUrl !== undefined) e.url = s.readyUrl;
      out.push(e);
    } else if ((m = LOAD.exec(t)) !== null) {
      const e: RuntimeEventOf<'model_load'> = at({ kind: 'model_load', runtime: RUNTIME, model: (m[1] ?? '').trim(), source: 'disk' }, r);
      if (m[2] !== undefined) e.model_hash = m[2];
      out.push(e);
    } else if ((m = PROCESSED.exec(t)) !== null) {
      out.push(at({ kind: 'job_end', runtime: RUNTIME, images: Number(m[1]), outcome: s.failure.outcome ?? 'ok' }, r));
      resetFailure(s.failure);
    } else if (r.level === 'ERROR' || r.level === 'CRITICAL') {
      const x = ERR_INLINE.exec(t);
      const exc = x === null ? { message: t } : { type: x[1] ?? '', ...(x[2] === undefined ? {} : { message: x[2] }) };
      for (const e of reportFailure(RUNTIME, s.failure, exc, r.ts)) out.push(e);
    }
    return out;
  },
  finish(s) {
    const out: RuntimeEvent[] = [];
    emitStart(s, out);
    return out;
  },
};
