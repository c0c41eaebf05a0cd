// InvokeAI parser (docs/research/runtime-logs.md "1.5 InvokeAI"): `[ts]::[InvokeAI]::LEVEL --> message`, per-session Graph stats.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { parseBar } from './tqdm.js';
import { baseName, num, round2 } from './units.js';

export interface InvokeState {
  failure: FailureState;
  session: string | undefined;
  statsSession: string | undefined;
  cache: Map<string, 'disk' | 'cache'>;
}

const RUNTIME = 'invokeai';
const EXECUTING = /^Executing queue item \d+, session ([\w-]+)/;
// 5.x logs it from the ModelManagerService logger with a `[MODEL CACHE] ` tag (invokeai/model-cache-loaded-flux-ascii-bars-2025-05.log)
const LOADED = /^(?:\[MODEL CACHE\] )?Loaded model '([^']+)' \([^)]*\) onto \S+ device in ([\d.]+)s\. Total model size: ([\d.]+)MB, VRAM: ([\d.]+)MB/;
const INVOKE_ERROR = /^Error while invoking session [\w-]+, invocation [\w-]+ \(([\w.]+)\): (.*)$/;
const TOTAL = /^TOTAL GRAPH EXECUTION TIME:\s*([\d.]+)s/;

function at<T extends RuntimeEvent>(e: T, r: LogRecord): T {
  if (r.ts !== undefined) e.ts = r.ts;
  return e;
}

export const invokeaiParser: RuntimeLogParser<InvokeState> = {
  runtime: RUNTIME,
  createState: () => ({ failure: createFailureState(), session: undefined, statsSession: undefined, cache: new Map() }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    if (r.kind === 'bar') {
      // the denoising bar of the session (tqdm `ascii`: `  4%|3         | 1/26 [...]`); loaders' bars carry a description
      const bar = parseBar(t);
      if (bar === undefined || bar.desc !== undefined) return out;
      const e: RuntimeEventOf<'progress'> = at({ kind: 'progress', runtime: RUNTIME, step: bar.n, total_steps: bar.total }, r);
      if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
      out.push(e);
      return out;
    }
    if (r.kind === 'traceback') {
      for (const e of reportFailure(RUNTIME, s.failure, exceptionOf(r) ?? {}, r.ts, { duringModelLoad: framesShowModelLoad(r) })) out.push(e);
      return out;
    }
    if (r.kind !== 'line') return out;
    let m: RegExpExecArray | null;
    if (t.startsWith('InvokeAI version ')) {
      out.push(at({ kind: 'runtime_start', runtime: RUNTIME, version: t.slice(17).trim() }, r));
    } else if (t.startsWith('Invoke running on ')) {
      const url = /^Invoke running on (\S+)/.exec(t)?.[1];
      out.push(at({ kind: 'runtime_ready', runtime: RUNTIME, ...(url === undefined ? {} : { url }) }, r));
    } else if ((m = EXECUTING.exec(t)) !== null) {
      s.session = m[1] ?? '';
      resetFailure(s.failure);
      out.push(at({ kind: 'job_start', runtime: RUNTIME, job_id: s.session }, r));
    } else if (t.startsWith('Cache miss: ') || t.startsWith('Cache hit: ')) {
      s.cache.set(t.slice(t.indexOf(':') + 1).trim(), t.startsWith('Cache miss') ? 'disk' : 'cache');
    } else if ((m = LOADED.exec(t)) !== null) {
      const key = m[1] ?? '';
      const total = Number(m[3]);
      const vram = Number(m[4]);
      // a model outside the model manager is keyed by its file's path (e.g. `...\\big-lama.pt`)
      const isPath = key.includes('/') || key.includes('\\');
      const e: RuntimeEventOf<'model_load'> = at({ kind: 'model_load', runtime: RUNTIME, model: isPath ? baseName(key) : key }, r);
      if (isPath) e.path = key;
      const src = s.cache.get(key);
      if (src !== undefined) e.source = src;
      s.cache.delete(key);
      const d = num(m[2]);
      if (d !== undefined) e.duration_s = d;
      e.loaded_mb = round2(vram);
      if (total > vram) e.offloaded_mb = round2(total - vram);
      e.mode = vram >= total ? 'full' : 'partial';
      out.push(e);
    } else if ((m = INVOKE_ERROR.exec(t)) !== null) {
      for (const e of reportFailure(RUNTIME, s.failure, { message: m[2] ?? '' }, r.ts)) out.push(e);
    } else if (t.startsWith('Graph stats: ')) {
      s.statsSession = t.slice(13).trim();
    } else if ((m = TOTAL.exec(t)) !== null) {
      const id = s.statsSession ?? s.session;
      const e: RuntimeEventOf<'job_end'> = at({ kind: 'job_end', runtime: RUNTIME }, r);
      if (id !== undefined) e.job_id = id;
      e.duration_s = Number(m[1]);
      e.outcome = s.failure.outcome ?? 'ok';
      out.push(e);
      resetFailure(s.failure);
      s.statsSession = undefined;
      s.session = undefined;
    } else {
      const exc = exceptionOf(r);
      if (exc?.type !== undefined && exc.message !== undefined) for (const e of reportFailure(RUNTIME, s.failure, exc, r.ts)) out.push(e);
    }
    return out;
  },
  finish: () => [],
};
