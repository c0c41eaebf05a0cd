// SD.Next console (rich handler) and sdnext.log parser (docs/research/runtime-logs.md "1.4 SD.Next").
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { baseName, num } from './units.js';

interface PendingLoad {
  model?: string;
  hash?: string;
  path?: string;
  ts?: string;
}

export interface SdnextState {
  failure: FailureState;
  start: { ts?: string; version?: string } | undefined;
  readyUrl: string | undefined;
  /** A checkpoint load begun (`Load model: select=`, `detect=`/`Autodetect:` with its file) and not yet timed. */
  load: PendingLoad | undefined;
}

const RUNTIME = 'sdnext';
const VERSION = /^Version: app=sd\.next(?: updated=(\S+))?(?: hash=(\S+))?(?: branch=(\S+))?/;
const LOAD = /^Load model: select="([^"[]+?)(?: \[(\w+)\])?"/;
const PROCESSED = /^Processed: images=(\d+)/;
const STARTUP = /^Startup time: (?:total=)?([\d.]+)/;
const ERR_INLINE = /([A-Za-z_][\w.]*(?:Error|Exception))(?::\s*(.*))?$/;
/** `Load model: detect="..." class=... file="PATH"` (2025) / `Autodetect: model="..." class=... file="PATH"` (2024). */
const LOAD_FILE = /^(?:Load model: detect=|Autodetect: model=).*? file="([^"]+)"/;
/** The load's end: `Load model: time=2.77 load=2.73 ...` (2024), `Load model: family=... time={'total': ...` (research notes). */
const LOAD_DONE = /^Load model: (?:family=\S+ )?time=\{?(?:'total': )?([\d.]+)/;

function at<T extends RuntimeEvent>(e: T, r: LogRecord): T {
  if (r.ts !== undefined) e.ts = r.ts;
  return e;
}

function emitLoad(s: SdnextState, out: RuntimeEvent[], duration?: number): void {
  const p = s.load;
  if (p === undefined) return;
  s.load = undefined;
  const e: RuntimeEventOf<'model_load'> = { kind: 'model_load', runtime: RUNTIME };
  if (p.ts !== undefined) e.ts = p.ts;
  const model = p.model ?? (p.path === undefined ? undefined : baseName(p.path).replace(/\.(?:safetensors|ckpt|pt|pth|bin|gguf)$/i, ''));
  if (model !== undefined) e.model = model;
  e.source = 'disk';
  if (p.hash !== undefined) e.model_hash = p.hash;
  if (duration !== undefined) e.duration_s = duration;
  if (p.path !== undefined) e.path = p.path;
  out.push(e);
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
  createState: () => ({ failure: createFailureState(), start: undefined, readyUrl: undefined, load: undefined }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    if (r.kind === 'traceback') {
      for (const e of reportFailure(RUNTIME, s.failure, exceptionOf(r) ?? {}, r.ts, { duringModelLoad: framesShowModelLoad(r) })) out.push(e);
      return out;
    }
    if (r.kind !== 'line') return out;
    // A failure is an ERROR record plus its rich traceback; the next INFO record may report another.
    // Its outcome stays for the job's `Processed:` line (logfile-tabs-oom-processed-zero-images-2024-11.log).
    if (r.level === 'INFO') s.failure.reported = false;
    let m: RegExpExecArray | null;
    if (t.startsWith('Starting SD.Next')) {
      resetFailure(s.failure);
      s.load = undefined;
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
      emitLoad(s, out);
      emitStart(s, out);
      const e: RuntimeEventOf<'runtime_ready'> = at({ kind: 'runtime_ready', runtime: RUNTIME }, r);
      const v = num(m[1]);
      if (v !== undefined) e.startup_s = v;
      if (s.readyUrl !== undefined) e.url = s.readyUrl;
      out.push(e);
    } else if ((m = LOAD.exec(t)) !== null) {
      emitLoad(s, out); // a load that never printed its time
      s.load = { model: (m[1] ?? '').trim(), ...(m[2] === undefined ? {} : { hash: m[2] }), ...(r.ts === undefined ? {} : { ts: r.ts }) };
    } else if ((m = LOAD_FILE.exec(t)) !== null) {
      s.load ??= r.ts === undefined ? {} : { ts: r.ts };
      s.load.path = m[1] ?? '';
    } else if ((m = LOAD_DONE.exec(t)) !== null) {
      s.load ??= r.ts === undefined ? {} : { ts: r.ts };
      emitLoad(s, out, num(m[1]));
    } else if ((m = PROCESSED.exec(t)) !== null) {
      emitLoad(s, out);
      const images = Number(m[1]);
      // a job that made no image after an error ended with that error (`Processing: OutOfMemoryError` → images=0)
      out.push(at({ kind: 'job_end', runtime: RUNTIME, images, outcome: images === 0 ? (s.failure.outcome ?? 'ok') : 'ok' }, r));
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
    emitLoad(s, out);
    emitStart(s, out);
    return out;
  },
};
