// Failures inside a job: exception records → one `oom` or `error` event per failure, however many
// records (marker line, traceback, wrapper text) the runtime prints for it.
import type { JobOutcome, RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import type { LogRecord } from './log-record.js';
import { NO_EVENTS, recordLines } from './log-record.js';
import { buildOomEvent } from './oom-cause.js';
import type { OomContext } from './oom-cause.js';
import { errorMessageFields } from './redact.js';
import { parseOom } from './torch-oom.js';

export interface ExceptionInfo {
  readonly type?: string;
  readonly message?: string;
}

// a bare `Exception: ...` (`raise Exception(msg)`, e.g. Wan2GP's `Exception: Missing model vace_14B`) is one too (a bare `Error:` is not: too many plain prints start so)
const EXC = /^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)|Exception)(?::\s*(.*))?$/;
const LOAD_FRAMES =
  /\.to\(self\.device\)|model\.to\(|\.to\(device|load_diffusion_model|load_models_gpu|load_state_dict|load_checkpoint|from_pretrained|partially_load|model_load\(/;

/** Type and message of the exception a record reports, when it reports one. */
export function exceptionOf(r: LogRecord): ExceptionInfo | undefined {
  const lines = recordLines(r);
  if (r.kind === 'traceback' || r.kind === 'a1111_error') {
    for (let i = lines.length - 1; i > 0; i--) {
      const l = (lines[i] ?? '').trim();
      const m = EXC.exec(l);
      if (m !== null && !l.startsWith('File ')) return info(m[1], collectMessage(m[2], lines, i));
    }
    return {};
  }
  const m = EXC.exec(r.text);
  return m === null ? undefined : info(m[1], collectMessage(m[2], lines, 0));
}

function collectMessage(first: string | undefined, lines: readonly string[], i: number): string | undefined {
  if (first === undefined) return undefined;
  const rest = lines.slice(i + 1).filter((l) => !l.startsWith('---'));
  return rest.length > 0 ? `${first}\n${rest.join('\n')}` : first;
}

function info(type: string | undefined, message: string | undefined): ExceptionInfo {
  const o: { type?: string; message?: string } = {};
  if (type !== undefined) o.type = type;
  if (message !== undefined && message !== '') o.message = message;
  return o;
}

/** Frames of the traceback show weights being moved/loaded (model placement OOM). */
export function framesShowModelLoad(r: LogRecord): boolean {
  if (r.kind === 'line' || r.kind === 'bar') return false;
  // every alternative is a literal without a newline: testing line by line equals testing the join
  for (const l of recordLines(r)) if (LOAD_FRAMES.test(l)) return true;
  return false;
}

/** Per-job failure bookkeeping, part of each parser's state. */
export interface FailureState {
  /** Outcome of the current job so far, when a failure was seen (a job_end outcome of schema/src/events.ts other than ok). */
  outcome: Exclude<JobOutcome, 'ok'> | undefined;
  /** The failure was already reported as an event (further records of it are absorbed). */
  reported: boolean;
}

export function createFailureState(): FailureState {
  return { outcome: undefined, reported: false };
}

export function resetFailure(f: FailureState): void {
  f.outcome = undefined;
  f.reported = false;
}

/**
 * Reports a failure from `text` (an exception message, possibly multi-line) once per job.
 * An OOM becomes an `oom` event (numbers, cause, rule); anything else an `error` event.
 */
export function reportFailure(
  runtime: RuntimeName,
  f: FailureState,
  exc: ExceptionInfo,
  ts: string | undefined,
  ctx: OomContext = {},
): readonly RuntimeEvent[] {
  const text = `${exc.type ?? ''}: ${exc.message ?? ''}`;
  const oom = parseOom(text); // undefined unless isOomText(text)
  if (f.reported) {
    if (oom !== undefined) f.outcome = 'oom';
    return NO_EVENTS;
  }
  f.reported = true;
  if (oom !== undefined) {
    f.outcome = 'oom';
    return [buildOomEvent(runtime, oom, { ts, ctx })];
  }
  f.outcome ??= 'error';
  const e: RuntimeEvent = { kind: 'error', runtime };
  if (ts !== undefined) e.ts = ts;
  if (exc.type !== undefined) e.error_type = exc.type;
  Object.assign(e, errorMessageFields(exc.type, exc.message));
  return [e];
}
