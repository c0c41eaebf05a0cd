// ComfyUI console / comfyui.log parser (docs/research/runtime-logs.md "1.1 ComfyUI", "3 Deriving the target signals"). Covers the print era (2023), the logging
// era, Manager and frontend-export prefixes, the six `loaded completely/partially` forms, DynamicVRAM,
// `Prompt executed in` in seconds and HH:MM:SS, and the `!!! Exception during processing !!!` variants.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { ComfyLoadState } from './comfyui-loads.js';
import { armLegacyLoads, endsLegacyLoads, flushLegacyLoads, loadLine, requestLoad } from './comfyui-loads.js';
import { isWsFrameLine, summariseWsFrame, wsFrameEvents } from './comfyui-ws.js';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { NO_EVENTS } from './log-record.js';
import { buildOomEvent } from './oom-cause.js';
import { parseBar } from './tqdm.js';
import { round2, secondsFromClock } from './units.js';

interface PendingStart {
  ts?: string;
  version?: string;
  extensions: string[];
}

/** ComfyUI's lines of a node at work that carry no event of their own (a model requested, built, loaded). */
const SHOWS_EXECUTION = /^(?:Requested to load |Loading \d+ new models?|loaded (?:completely|partially)|model_type |model weight dtype |Using \w+ attention)/;

export interface ComfyState extends ComfyLoadState {
  failure: FailureState;
  start: PendingStart | undefined;
  processActive: boolean;
  ready: boolean;
  jobHadWork: boolean;
  /** A recovered attention OOM was reported since the last job start or end: its further retries are not. */
  retriedOom: boolean;
  lastBarDone: string | undefined;
  extList: boolean;
  /** Records since the list's last entry: a few foreign ones do not end it. */
  extMisses: number;
  addons: boolean;
  /** `!!! Exception during processing !!!` seen; its traceback may follow with the type. */
  pendingExc: { message: string | undefined; ts: string | undefined; misses: number } | undefined;
  /** Scratch for one record's events (emptied before `parse` returns), so most records allocate none. */
  events: RuntimeEvent[];
}

const RUNTIME = 'comfyui';
const EXECUTED = /^Prompt executed in (?:([\d.]+) seconds|(\d+:\d\d:\d\d))/;
const EXC_MARKER = /^!!! Exception during processing ?!!!\s*(.*)$/;
const MAX_FOREIGN_IN_LIST = 2;
const EXT_LINE = /^\s*[\d.]+ seconds(?: \((?:IMPORT|PRESTARTUP) FAILED\))?: (.+)$/;
/** comfy/ldm/modules (attention.py, diffusionmodules/model.py, sub_quadratic_attention.py): an OOM caught and retried smaller. */
const RETRIED_OOM =
  /^(?:scaled_dot_product_attention OOMed: switched to slice attention|out of memory error, (?:increasing steps|emptying cache) and trying again|ran out of memory while running softmax)/;
const ADDON = /ControlNet|ControlLora|IPAdapter|IP-Adapter|CLIPVision|T2IAdapter|Lora|Upscale|Refiner/i;

/** `t.includes('Error') || t.includes('Exception')` in one scan (for the rare capital E). */
function mentionsError(t: string): boolean {
  for (let i = t.indexOf('E'); i >= 0; i = t.indexOf('E', i + 1)) {
    if (t.startsWith('rror', i + 1) || t.startsWith('xception', i + 1)) return true;
  }
  return false;
}

/** What follows the last `/` or `\\` (all of it when there is none). */
function baseNameOf(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function at<T extends RuntimeEvent>(e: T, ts: string | undefined): T {
  if (ts !== undefined) e.ts = ts;
  return e;
}

function emitStart(s: ComfyState, out: RuntimeEvent[]): void {
  if (s.start === undefined) return;
  const st = s.start;
  s.start = undefined;
  s.extList = false;
  const e: RuntimeEventOf<'runtime_start'> = at({ kind: 'runtime_start', runtime: RUNTIME }, st.ts);
  if (st.version !== undefined) e.version = st.version;
  if (st.extensions.length > 0) e.extensions = st.extensions;
  out.push(e);
}

function startMarker(s: ComfyState, ts: string | undefined, fresh: boolean): void {
  if (s.start !== undefined) {
    if (fresh && ts !== undefined) s.start.ts = ts;
    return;
  }
  if (s.processActive && !fresh) return;
  s.start = { extensions: [], ...(ts === undefined ? {} : { ts }) };
  s.processActive = true;
  s.ready = false;
}

/** A line that starts, ends or fails a job: a bare exception marker's traceback will not follow it. */
function endsJobWait(t: string, c: number): boolean {
  return (
    (c === 80 /* P */ && t.startsWith('Prompt executed in')) || (c === 103 /* g */ && t === 'got prompt') || (c === 33 /* ! */ && t.startsWith('!!! Exception'))
  );
}

function flushPendingExc(s: ComfyState, out: RuntimeEvent[]): void {
  if (s.pendingExc === undefined) return;
  const p = s.pendingExc;
  s.pendingExc = undefined;
  const msg = p.message === undefined || p.message === '' ? {} : { message: p.message };
  for (const e of reportFailure(RUNTIME, s.failure, msg, p.ts, { addons: s.addons, duringModelLoad: s.lastWasLoad })) out.push(e);
}

/** The tests that came before the `main.py` one; true when one matched (and acted). */
function beforeMainPy(s: ComfyState, r: LogRecord, t: string, c: number, out: RuntimeEvent[]): boolean {
  switch (c) {
    case 103 /* g */:
      if (t !== 'got prompt') return false;
      emitStart(s, out);
      resetFailure(s.failure);
      s.inJob = true;
      s.jobHadWork = false;
      s.addons = false;
      s.lastWasLoad = false;
      s.retriedOom = false;
      s.requested.length = 0; // a request the previous job never loaded (it failed) is not this job's
      s.lastBarDone = undefined;
      out.push(at({ kind: 'job_start', runtime: RUNTIME }, r.ts));
      return true;
    case 80 /* P */: {
      if (t.startsWith('Processing interrupted')) {
        s.failure.outcome = 'interrupted';
        return true;
      }
      if (!t.startsWith('Prompt executed in')) return false;
      const m = EXECUTED.exec(t);
      const duration = m?.[1] !== undefined ? Number(m[1]) : m?.[2] !== undefined ? secondsFromClock(m[2]) : undefined;
      const e: RuntimeEventOf<'job_end'> = at({ kind: 'job_end', runtime: RUNTIME }, r.ts);
      if (duration !== undefined) e.duration_s = duration;
      e.outcome = s.failure.outcome ?? 'ok';
      // A fully cached re-run executes nothing and produces no image (docs/research/runtime-logs.md "3.2 Model cache hit rate").
      if (s.inJob && !s.jobHadWork && duration === 0 && e.outcome === 'ok') e.images = 0;
      out.push(e);
      resetFailure(s.failure);
      s.inJob = false;
      s.retriedOom = false;
      // the next job's 100% bar is its own even without a `got prompt` between (printed at queue
      // time: comfyui/queued-during-generation-prompt-file-node-info-2025-01.log)
      s.lastBarDone = undefined;
      s.requested.length = 0;
      s.constructed.clear();
      return true;
    }
    case 82 /* R */: {
      if (!t.startsWith('Requested to load ')) return false;
      const name = t.slice(18).trim();
      requestLoad(s, name);
      if (ADDON.test(name)) s.addons = true;
      return true;
    }
    case 115 /* s */:
    case 111 /* o */:
    case 114 /* r */:
      if (!RETRIED_OOM.test(t)) return false;
      if (!s.retriedOom) out.push(buildOomEvent(RUNTIME, { form: 'wrapper_text' }, { ts: r.ts, recovered: true }));
      s.retriedOom = true;
      return true;
    case 76 /* L */:
      return armLegacyLoads(s, t);
    case 108 /* l */:
    case 77 /* M */:
    case 109 /* m */: {
      if (t.startsWith('model weight dtype') || t.startsWith('model_type ')) {
        s.constructed.add('unet');
        return true;
      }
      const e = loadLine(s, r, t, c);
      if (e === undefined) return false; // e.g. `ModuleNotFoundError: ...` goes on to the exception test
      out.push(e);
      return true;
    }
    case 67 /* C */:
      if (!t.startsWith('CLIP/text encoder model load device') && !t.startsWith('CLIP model load device')) return false;
      s.constructed.add('clip');
      return true;
    case 86 /* V */:
      if (!t.startsWith('VAE load device')) return false;
      s.constructed.add('vae');
      return true;
    case 85 /* U */: {
      if (!t.startsWith('Unloaded partially:')) return false;
      const m = /([\d.]+) MB freed/.exec(t);
      out.push(at({ kind: 'model_unload', runtime: RUNTIME, ...(m?.[1] ? { freed_mb: round2(Number(m[1])) } : {}) }, r.ts));
      return true;
    }
    case 33 /* ! */: {
      const em = EXC_MARKER.exec(t);
      if (em === null) return false;
      const msg = (em[1] ?? '').trim();
      if (/out of memory|Allocation on device|OutOfMemory/.test(msg)) {
        for (const e of reportFailure(RUNTIME, s.failure, { message: msg }, r.ts, { addons: s.addons, duringModelLoad: s.lastWasLoad })) out.push(e);
      } else s.pendingExc = { message: msg === '' ? undefined : msg, ts: r.ts, misses: 0 };
      return true;
    }
    case 71 /* G */:
      if (!t.startsWith('Got an OOM, unloading all loaded models')) return false;
      for (const e of reportFailure(RUNTIME, s.failure, { message: 'out of memory' }, r.ts)) out.push(e);
      s.failure.outcome = 'oom';
      return true;
    case 87 /* W */:
      if (!t.startsWith('Warning: Ran out of memory when regular VAE')) return false;
      out.push(buildOomEvent(RUNTIME, { form: 'wrapper_text' }, { ts: r.ts, recovered: true }));
      return true;
    case 105 /* i */:
      if (!t.startsWith('invalid prompt:')) return false;
      out.push(at({ kind: 'error', runtime: RUNTIME, error_type: 'prompt_validation', message: 'invalid prompt' }, r.ts));
      if (s.inJob) out.push(at({ kind: 'job_end', runtime: RUNTIME, outcome: 'error' }, r.ts));
      s.inJob = false;
      return true;
    case 42 /* * */: {
      if (!/^\*\* ComfyUI start ?up time: /.test(t)) return false;
      const m = /time: (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(t);
      startMarker(s, m ? `${m[1]}T${m[2]}` : r.ts, true);
      return true;
    }
    case 84 /* T */:
      if (!t.startsWith('Total VRAM ')) return false;
      startMarker(s, r.ts, false);
      return true;
    case 91 /* [ */:
      if (!t.startsWith('[START] Security scan')) return false;
      startMarker(s, r.ts, false);
      return true;
    default:
      return false;
  }
}

/** The tests that came after the `main.py` one; true when one matched (and acted). */
function afterMainPy(s: ComfyState, r: LogRecord, t: string, c: number, out: RuntimeEvent[]): boolean {
  switch (c) {
    case 80 /* P */:
    case 73 /* I */:
      if (!t.startsWith('Prestartup times for custom nodes') && !t.startsWith('Import times for custom nodes')) return false;
      startMarker(s, r.ts, false);
      s.extList = true;
      s.extMisses = 0;
      return true;
    case 67 /* C */:
      if (!t.startsWith('ComfyUI version: ')) return false;
      startMarker(s, r.ts, false);
      if (s.start !== undefined) s.start.version = t.slice(17).trim();
      return true;
    case 35 /* # */: {
      // ComfyUI-Manager's lines (it loads only at start-up): its revision or version names the
      // release only where ComfyUI's own `ComfyUI version:` line (printed first) did not
      if (t.startsWith('### Loading: ComfyUI-Manager')) {
        startMarker(s, r.ts, false);
        return true;
      }
      if (!t.startsWith('### ComfyUI Revision: ') && !t.startsWith('### ComfyUI Version: ')) return false;
      const m = /(?:Revision: (\d+ \[\w+\])|Version: (v?\d+\.\d+\.\d+\S*))/.exec(t);
      const v = m?.[1] ?? m?.[2];
      if (s.start !== undefined && v !== undefined) s.start.version ??= v;
      return true;
    }
    case 84 /* T */:
      if (!t.startsWith('To see the GUI go to: ')) return false;
      emitStart(s, out);
      if (!s.ready) {
        s.ready = true;
        // some consoles paste the address as `[http://...]` or `<http://...>`
        out.push(
          at(
            {
              kind: 'runtime_ready',
              runtime: RUNTIME,
              url: t
                .slice(22)
                .trim()
                .replace(/^[[<](.*)[\]>]$/, '$1'),
            },
            r.ts,
          ),
        );
      }
      return true;
    case 83 /* S */:
      if (!t.startsWith('Stopped server')) return false;
      s.processActive = false;
      return true;
    case 123 /* { */: {
      if (!isWsFrameLine(t)) return false;
      const f = summariseWsFrame(t);
      if (f !== undefined) for (const e of wsFrameEvents(f, r.ts)) out.push(e);
      return true;
    }
    default:
      return false;
  }
}

/** Every record but a bar: its events are appended to `out`. */
function parseRecord(s: ComfyState, r: LogRecord, t: string, out: RuntimeEvent[]): void {
  const c = t.charCodeAt(0);
  // the traceback may follow a foreign line or two; ComfyUI's next job line ends the wait at once
  if (s.pendingExc !== undefined && r.kind !== 'traceback' && (endsJobWait(t, c) || ++s.pendingExc.misses > MAX_FOREIGN_IN_LIST)) flushPendingExc(s, out);
  if (s.legacyLoading && !(c === 108 /* l */ && (t.startsWith('loaded ') || t.startsWith('loading in lowvram'))) && endsLegacyLoads(s, t, c)) {
    flushLegacyLoads(s, r, out);
  }
  // Evidence that a job executed a node (so a 0.00 s job is not a fully cached re-run): ComfyUI's own
  // load lines here, bars and any event below (parse); a foreign or garbled line is no evidence.
  if (s.inJob && (c === 82 || c === 108 || c === 109 || c === 85) && SHOWS_EXECUTION.test(t)) s.jobHadWork = true;

  if (r.kind === 'traceback' || r.kind === 'a1111_error') {
    const exc = exceptionOf(r) ?? {};
    const merged = { ...exc, ...(exc.message === undefined && s.pendingExc?.message ? { message: s.pendingExc.message } : {}) };
    const ts = s.pendingExc?.ts ?? r.ts;
    s.pendingExc = undefined;
    const ctx = { addons: s.addons, duringModelLoad: s.lastWasLoad || framesShowModelLoad(r) };
    for (const e of reportFailure(RUNTIME, s.failure, merged, ts, ctx)) out.push(e);
    return;
  }
  if (s.start !== undefined && s.start.ts === undefined && r.ts !== undefined) s.start.ts = r.ts;
  if (s.extList) {
    const m = EXT_LINE.exec(t);
    if (m?.[1] !== undefined) {
      s.extMisses = 0;
      if (!t.includes('FAILED)') && s.start !== undefined) {
        const name = baseNameOf(m[1].trim());
        if (name !== '' && !s.start.extensions.includes(name)) s.start.extensions.push(name);
      }
      return;
    }
    // A line or two of another thread's output between two entries do not end the list: the entries
    // after them belong to the same start. Three records that are not entries do.
    if (s.start === undefined || ++s.extMisses > MAX_FOREIGN_IN_LIST) s.extList = false;
  }
  // Keyed on the first character: only the tests that can match run. The order of the tests
  // that share a first character, and their place around the `main.py` test, is the old chain's.
  if (beforeMainPy(s, r, t, c, out)) return;
  // `.py` first: a search for `main.py` stops at every `m` of ordinary text
  if (t.includes('.py') && t.includes('main.py') && /^\S.{0,200}\bmain\.py\b/.test(t)) {
    startMarker(s, r.ts, false);
    return;
  }
  if (afterMainPy(s, r, t, c, out)) return;
  if (r.kind === 'line' && mentionsError(t)) {
    const exc = exceptionOf(r);
    if (exc?.type !== undefined && (exc.message !== undefined || r.lines !== undefined)) {
      for (const e of reportFailure(RUNTIME, s.failure, exc, r.ts, { addons: s.addons, duringModelLoad: s.lastWasLoad })) out.push(e);
    }
  }
}

export const comfyuiParser: RuntimeLogParser<ComfyState> = {
  runtime: RUNTIME,
  createState: () => ({
    failure: createFailureState(),
    start: undefined,
    processActive: false,
    ready: false,
    inJob: false,
    jobHadWork: false,
    requested: [],
    legacyLoading: false,
    legacyMisses: 0,
    retriedOom: false,
    constructed: new Set(),
    lastDynamic: undefined,
    lastBarDone: undefined,
    extList: false,
    extMisses: 0,
    addons: false,
    lastWasLoad: false,
    pendingExc: undefined,
    events: [],
  }),

  parse(s, r) {
    const t = r.text;
    if (r.kind === 'bar') {
      const bar = parseBar(t);
      if (bar === undefined || bar.desc !== undefined) return NO_EVENTS; // only core sampler bars
      const loads: RuntimeEvent[] = [];
      if (s.legacyLoading) flushLegacyLoads(s, r, loads);
      s.jobHadWork = true;
      s.lastWasLoad = false;
      if (bar.n === bar.total) {
        const key = `${bar.n}/${bar.total}`;
        if (s.lastBarDone === key) return NO_EVENTS; // tqdm prints 100% twice
        s.lastBarDone = key;
      } else s.lastBarDone = undefined;
      const e: RuntimeEventOf<'progress'> = at({ kind: 'progress', runtime: RUNTIME, step: bar.n, total_steps: bar.total }, r.ts);
      if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
      loads.push(e);
      return loads;
    }
    if (s.events.length > 0) s.events = []; // left over only if a previous call threw
    const out = s.events;
    parseRecord(s, r, t, out);
    if (out.length === 0) return NO_EVENTS;
    if (s.inJob && !s.jobHadWork && (out.length > 1 || out[0]?.kind !== 'job_start')) s.jobHadWork = true;
    s.events = []; // the filled array is handed out
    return out;
  },

  finish(s) {
    const out: RuntimeEvent[] = [];
    flushPendingExc(s, out);
    if (s.legacyLoading) flushLegacyLoads(s, { kind: 'line', text: '' }, out);
    emitStart(s, out);
    return out;
  },
};
