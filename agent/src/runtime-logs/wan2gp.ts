// Wan2GP (WanGP + mmgp) parser (docs/research/runtime-logs.md "1.6 Wan2GP"). No timestamps, plain prints.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { parseBar } from './tqdm.js';
import { baseName } from './units.js';

export interface Wan2gpState {
  failure: FailureState;
  ready: boolean;
  loading: boolean;
}

const RUNTIME = 'wan2gp';
// `Loading Text Encoder '...'` since 2026 (wan2gp/mmgp-3.7.7-loading-text-encoder-stuck-2026-07.log)
const LOADING = /^Loading (?:Model|Module|Text Encoder) '([^']+)'/;
const SAVED = /^New (video|image|audio file) saved to Path: /;
const WRAPPER = /The generation of the video has encountered an error/;

function at<T extends RuntimeEvent>(e: T, r: LogRecord): T {
  if (r.ts !== undefined) e.ts = r.ts;
  return e;
}

export const wan2gpParser: RuntimeLogParser<Wan2gpState> = {
  runtime: RUNTIME,
  createState: () => ({ failure: createFailureState(), ready: false, loading: false }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    if (r.kind === 'bar') {
      const bar = parseBar(t);
      if (bar === undefined || bar.desc !== undefined) return out;
      if (bar.n > 0) resetFailure(s.failure);
      s.loading = false;
      const e: RuntimeEventOf<'progress'> = at({ kind: 'progress', runtime: RUNTIME, step: bar.n, total_steps: bar.total }, r);
      if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
      out.push(e);
      return out;
    }
    if (r.kind === 'traceback') {
      for (const e of reportFailure(RUNTIME, s.failure, exceptionOf(r) ?? {}, r.ts, { duringModelLoad: s.loading || framesShowModelLoad(r) })) out.push(e);
      return out;
    }
    let m: RegExpExecArray | null;
    if ((m = LOADING.exec(t)) !== null) {
      resetFailure(s.failure);
      s.loading = true;
      out.push(at({ kind: 'model_load', runtime: RUNTIME, model: baseName(m[1] ?? ''), source: 'disk', path: m[1] ?? '' }, r));
    } else if (SAVED.test(t)) {
      out.push(at({ kind: 'output_written', runtime: RUNTIME, images: 1 }, r));
      out.push(at({ kind: 'job_end', runtime: RUNTIME, outcome: s.failure.outcome ?? 'ok' }, r));
      resetFailure(s.failure);
    } else if (WRAPPER.test(t)) {
      // The UI's summary of the failure: an OOM when it blames VRAM/RAM, a plain error otherwise.
      const oom = /unsufficient (?:VRAM|RAM)/.test(t);
      const exc = oom ? { message: t.includes('unsufficient VRAM') ? 'unsufficient VRAM' : 'unsufficient RAM' } : { message: 'generation error' };
      for (const e of reportFailure(RUNTIME, s.failure, exc, r.ts)) out.push(e);
      out.push(at({ kind: 'job_end', runtime: RUNTIME, outcome: s.failure.outcome ?? 'error' }, r));
    } else if (/^\* Running on local URL:\s+/.test(t) && !s.ready) {
      s.ready = true;
      out.push(at({ kind: 'runtime_ready', runtime: RUNTIME, url: t.replace(/^\* Running on local URL:\s+/, '').trim() }, r));
    } else {
      const exc = exceptionOf(r);
      if (exc?.type !== undefined && exc.message !== undefined) {
        for (const e of reportFailure(RUNTIME, s.failure, exc, r.ts, { duringModelLoad: s.loading })) out.push(e);
      }
    }
    return out;
  },
  finish: () => [],
};
