// What the three trainers (kohya sd-scripts, ai-toolkit, diffusers scripts) share: run totals,
// the training bar → `training_progress`, ready on the first step, NaN loss as a failure signal.
import type { RuntimeEvent, RuntimeEventOf, RuntimeName } from '@renderwatch/schema';
import type { FailureState } from './failure.js';
import { createFailureState, exceptionOf, framesShowModelLoad, reportFailure, resetFailure } from './failure.js';
import type { LogRecord } from './log-record.js';
import type { TqdmBar } from './tqdm.js';
import { parseBar, parsePlainBar } from './tqdm.js';

export interface TrainingState {
  failure: FailureState;
  started: boolean;
  ready: boolean;
  totalSteps: number | undefined;
  epoch: number | undefined;
  totalEpochs: number | undefined;
  nanReported: boolean;
}

export function createTrainingState(): TrainingState {
  return { failure: createFailureState(), started: false, ready: false, totalSteps: undefined, epoch: undefined, totalEpochs: undefined, nanReported: false };
}

/**
 * A new run in the same log (a GUI such as bmaltais/kohya_ss starts every training in one console):
 * nothing of the previous run's epoch, totals, NaN report or failure carries over; its header follows.
 */
export function startRun(s: TrainingState): void {
  s.started = true;
  s.ready = false;
  s.epoch = undefined;
  s.totalEpochs = undefined;
  s.totalSteps = undefined;
  s.nanReported = false;
  resetFailure(s.failure);
}

export function at<T extends RuntimeEvent>(e: T, r: LogRecord): T {
  if (r.ts !== undefined) e.ts = r.ts;
  return e;
}

/**
 * The record's tqdm bar: a `bar` record, or a glyph-less bar (Google Colab shows a subprocess's bars
 * as `steps:   0% 0/2300 [00:01<?, ?it/s]`) that the record assembler, looking for `|`, left as a
 * line; only a line starting with `name` (`steps:`) is tried, so other lines cost one startsWith.
 */
export function barOf(r: LogRecord, name: string | undefined): TqdmBar | undefined {
  if (r.kind === 'bar') return parseBar(r.text);
  return r.kind === 'line' && name !== undefined && r.text.startsWith(name) ? parsePlainBar(r.text) : undefined;
}

/**
 * The bar's description is `word`, alone or after a launcher's prefix the record assembler does not
 * know (`[08:03:35] [STDERR] steps`, kohya/musubi-tuner-launcher-stderr-prefix-glued-epoch-2025.log).
 */
export function descIs(bar: TqdmBar | undefined, word: string): boolean {
  const d = bar?.desc;
  if (d === undefined) return false;
  return d === word || (d.endsWith(word) && (d.charCodeAt(d.length - word.length - 1) === 32 || d.charCodeAt(d.length - word.length - 1) === 93));
}

/** `training_progress` for one bar state; `loss` comes from the postfix key given. */
export function trainingProgress(runtime: RuntimeName, s: TrainingState, r: LogRecord, bar: TqdmBar, loss: string | undefined, out: RuntimeEvent[]): void {
  if (s.started && !s.ready) {
    s.ready = true;
    out.push(at({ kind: 'runtime_ready', runtime }, r));
  }
  const e: RuntimeEventOf<'training_progress'> = at({ kind: 'training_progress', runtime, step: bar.n, total_steps: bar.total }, r);
  if (s.epoch !== undefined) e.epoch = s.epoch;
  if (s.totalEpochs !== undefined) e.total_epochs = s.totalEpochs;
  if (loss !== undefined) {
    const v = Number(loss);
    if (Number.isFinite(v)) e.loss = v;
    else if (/nan|inf/i.test(loss) && !s.nanReported) {
      // JSON has no NaN: the loss stays absent and the divergence is reported once as an error.
      s.nanReported = true;
      out.push(at({ kind: 'error', runtime, error_type: 'NonFiniteLoss', message: `loss=${loss}` }, r));
    }
  }
  if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
  out.push(e);
}

/** Tracebacks and bare exception lines of a trainer. */
export function trainingFailure(runtime: RuntimeName, s: TrainingState, r: LogRecord, out: RuntimeEvent[]): boolean {
  if (r.kind === 'traceback') {
    for (const e of reportFailure(runtime, s.failure, exceptionOf(r) ?? {}, r.ts, { duringModelLoad: framesShowModelLoad(r) })) out.push(e);
    return true;
  }
  const exc = r.kind === 'line' ? exceptionOf(r) : undefined;
  if (exc?.type !== undefined && exc.message !== undefined) {
    for (const e of reportFailure(runtime, s.failure, exc, r.ts)) out.push(e);
    return true;
  }
  return false;
}
