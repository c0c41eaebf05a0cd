// AUTOMATIC1111 console parser (docs/research/runtime-logs.md "1.2 AUTOMATIC1111"). Forge reuses it (forge.ts) for the lines the two share.
import type { RuntimeEvent, RuntimeEventOf, RuntimeName } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { recordLines } from './log-record.js';
import { parseBar } from './tqdm.js';
import { baseName, num } from './units.js';

export interface A1111State {
  failure: FailureState;
  start: { ts?: string; version?: string } | undefined;
  processActive: boolean;
  readyUrl: string | undefined;
  pendingLoad: { model?: string; hash?: string; source?: 'disk' | 'cache'; path?: string } | undefined;
  lastTotalDone: string | undefined;
  /** LoRA / refiner loads in the current job (OOM context). */
  addons: boolean;
}

export function createA1111State(): A1111State {
  return {
    failure: createFailureState(),
    start: undefined,
    processActive: false,
    readyUrl: undefined,
    pendingLoad: undefined,
    lastTotalDone: undefined,
    addons: false,
  };
}

function at<T extends RuntimeEvent>(e: T, ts: string | undefined): T {
  if (ts !== undefined) e.ts = ts;
  return e;
}

/** Top-level items of a Python tuple repr, quote- and bracket-aware. */
export function tupleItems(repr: string, max = 16): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = 0;
  let cur = '';
  for (let i = 0; i < repr.length && items.length < max; i++) {
    const ch = repr[i] ?? '';
    const c = repr.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92) {
        cur += ch + (repr[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = 0;
      cur += ch;
      continue;
    }
    if (c === 39 || c === 34) quote = c;
    else if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth === 1) continue;
    } else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        items.push(cur.trim());
        return items;
      }
    } else if (c === 44 && depth === 1) {
      items.push(cur.trim());
      cur = '';
      continue;
    }
    if (depth >= 1) cur += ch;
  }
  return items;
}

const INT = /^\d+$/;
const QUOTED = /^'.*'$|^".*"$/;

/** Job parameters from an `*** Arguments: ('task(id)', prompt, negative, styles, steps, sampler, n_iter, batch, cfg, height, width, ...)` line (txt2img layout only). */
export function jobParamsFromArguments(line: string): { job_id?: string; steps?: number; batch?: number; width?: number; height?: number } {
  const i = line.indexOf('(');
  if (i < 0) return {};
  const it = tupleItems(line.slice(i), 12);
  const out: { job_id?: string; steps?: number; batch?: number; width?: number; height?: number } = {};
  const task = /task\(([\w-]+)\)/.exec(it[0] ?? '');
  if (task?.[1] !== undefined) out.job_id = task[1];
  const [steps, sampler, nIter, batch, , height, width] = it.slice(4, 11);
  if (
    INT.test(steps ?? '') &&
    QUOTED.test(sampler ?? '') &&
    INT.test(nIter ?? '') &&
    INT.test(batch ?? '') &&
    INT.test(height ?? '') &&
    INT.test(width ?? '')
  ) {
    out.steps = Number(steps);
    out.batch = Number(batch);
    out.height = Number(height);
    out.width = Number(width);
  }
  return out;
}

function emitStart(s: A1111State, runtime: RuntimeName, out: RuntimeEvent[]): void {
  if (s.start === undefined) return;
  const e: RuntimeEventOf<'runtime_start'> = at({ kind: 'runtime_start', runtime }, s.start.ts);
  if (s.start.version !== undefined) e.version = s.start.version;
  s.start = undefined;
  out.push(e);
}

const LOADING_WEIGHTS = /^Loading weights \[(\w+)\] from (.+)$/;
const REUSING = /^Reusing loaded model (.+?) \[(\w+)\] to load (.+?) \[(\w+)\]/;
const LOADED_IN = /^(?:Model|Weights) loaded in ([\d.]+)s(?: \((.*)\))?/;
const STARTUP = /^Startup time: ([\d.]+)s/;
const ENDING_JOB = /^Ending job (\S+) \(([\d.]+) seconds\)/;

/** Handles the records A1111 and Forge share; returns false when the record is not one of them. */
export function parseA1111Record(runtime: RuntimeName, s: A1111State, r: LogRecord, out: RuntimeEvent[]): boolean {
  const t = r.text;
  if (r.kind === 'bar') {
    const bar = parseBar(t);
    if (bar === undefined) return true;
    if (bar.desc === 'Total progress') {
      const key = `${bar.n}/${bar.total}`;
      if (bar.n === bar.total && bar.total > 0 && s.lastTotalDone !== key) {
        s.lastTotalDone = key;
        out.push(at({ kind: 'job_end', runtime, outcome: s.failure.outcome ?? 'ok' }, r.ts));
        resetFailure(s.failure);
        s.addons = false;
      }
      return true;
    }
    if (bar.desc !== undefined) return true;
    if (bar.n < bar.total) s.lastTotalDone = undefined;
    const e: RuntimeEventOf<'progress'> = at({ kind: 'progress', runtime, step: bar.n, total_steps: bar.total }, r.ts);
    if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
    out.push(e);
    return true;
  }
  if (r.kind === 'a1111_error') {
    const args = recordLines(r).find((l) => l.startsWith('*** Arguments:'));
    const params = args === undefined ? {} : jobParamsFromArguments(args);
    const exc = exceptionOf(r) ?? {};
    const ctx = { addons: s.addons, duringModelLoad: framesShowModelLoad(r), ...(params.batch === undefined ? {} : { batch: params.batch }) };
    for (const e of reportFailure(runtime, s.failure, exc, r.ts, ctx)) out.push(e);
    if (t.startsWith('*** Error completing request')) {
      out.push(at({ kind: 'job_end', runtime, ...params, outcome: s.failure.outcome ?? 'error' }, r.ts));
      resetFailure(s.failure);
      s.addons = false;
    }
    return true;
  }
  if (r.kind === 'traceback') {
    for (const e of reportFailure(runtime, s.failure, exceptionOf(r) ?? {}, r.ts, { addons: s.addons, duringModelLoad: framesShowModelLoad(r) })) out.push(e);
    return true;
  }
  let m: RegExpExecArray | null;
  if ((m = LOADING_WEIGHTS.exec(t)) !== null) {
    const from = (m[2] ?? '').trim();
    const cache = from === 'cache';
    // the path says which volume the weights came from (a Colab `/content/gdrive` mount: a1111/colab-gdrive-model-loaded-empty-local-url-2023-02.log)
    s.pendingLoad = { ...s.pendingLoad, hash: m[1] ?? '', source: cache ? 'cache' : 'disk', ...(cache ? {} : { model: baseName(from), path: from }) };
  } else if ((m = REUSING.exec(t)) !== null) {
    s.pendingLoad = { model: m[3] ?? '', hash: m[4] ?? '' };
    s.addons = true;
  } else if ((m = LOADED_IN.exec(t)) !== null) {
    const p = s.pendingLoad ?? {};
    s.pendingLoad = undefined;
    const e: RuntimeEventOf<'model_load'> = at({ kind: 'model_load', runtime }, r.ts);
    if (p.model !== undefined) e.model = p.model;
    if (p.hash !== undefined) e.model_hash = p.hash;
    if (p.path !== undefined) e.path = p.path;
    const breakdown = m[2] ?? '';
    const source = p.source ?? (/load weights from disk|forge model load|forge load real models/.test(breakdown) ? 'disk' : undefined);
    if (source !== undefined) e.source = source;
    const d = num(m[1]);
    if (d !== undefined) e.duration_s = d;
    out.push(e);
  } else if (/^Python \d+\.\d+/.test(t) || t.startsWith('Launching Web UI with arguments') || t.startsWith('Launching API server')) {
    if (s.start === undefined && !s.processActive) {
      s.start = r.ts === undefined ? {} : { ts: r.ts };
      s.processActive = true;
      s.readyUrl = undefined;
    }
  } else if (t.startsWith('Version: ') && s.start !== undefined) {
    s.start.version = t.slice(9).trim();
  } else if (t.startsWith('Commit hash: ') && s.start !== undefined) {
    s.start.version ??= t.slice(13).trim();
  } else if (t.startsWith('Running on local URL:')) {
    s.readyUrl = t.slice(21).trim();
  } else if ((m = STARTUP.exec(t)) !== null) {
    emitStart(s, runtime, out);
    const e: RuntimeEventOf<'runtime_ready'> = at({ kind: 'runtime_ready', runtime }, r.ts);
    const v = num(m[1]);
    if (v !== undefined) e.startup_s = v;
    if (s.readyUrl !== undefined) e.url = s.readyUrl;
    out.push(e);
  } else if (t.startsWith('Starting job ')) {
    resetFailure(s.failure);
    out.push(at({ kind: 'job_start', runtime, job_id: t.slice(13).trim() }, r.ts));
  } else if ((m = ENDING_JOB.exec(t)) !== null) {
    out.push(at({ kind: 'job_end', runtime, job_id: m[1] ?? '', duration_s: Number(m[2]), outcome: s.failure.outcome ?? 'ok' }, r.ts));
    resetFailure(s.failure);
  } else if (/^(?:torch\.)?(?:cuda\.)?OutOfMemoryError: /.test(t)) {
    for (const e of reportFailure(runtime, s.failure, exceptionOf(r) ?? {}, r.ts, { addons: s.addons })) out.push(e);
  } else return false;
  return true;
}

export const a1111Parser: RuntimeLogParser<A1111State> = {
  runtime: 'a1111',
  createState: createA1111State,
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    parseA1111Record('a1111', s, r, out);
    return out;
  },
  finish(s) {
    const out: RuntimeEvent[] = [];
    emitStart(s, 'a1111', out);
    return out;
  },
};

export function finishA1111(runtime: RuntimeName, s: A1111State): RuntimeEvent[] {
  const out: RuntimeEvent[] = [];
  emitStart(s, runtime, out);
  return out;
}
