// The unit the parsers consume: one logical log record, after wrapper prefixes, ANSI colours and
// tqdm carriage-return updates were dealt with, and multi-line blocks (tracebacks, A1111 `***`
// blocks, cudaMallocAsync OOM blocks, rich wraps, Python reprs) were joined.
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';

export type LogRecordKind =
  /** An ordinary line (possibly with joined continuation lines). */
  | 'line'
  /** The final state of a tqdm progress bar. */
  | 'bar'
  /** `Traceback (most recent call last):` (plain or rich box) up to the exception line. */
  | 'traceback'
  /** A1111/Forge `*** Error ...` block: header, `*** Arguments:`, indented traceback, `---`. */
  | 'a1111_error';

export interface LogRecord {
  readonly kind: LogRecordKind;
  /** First line, cleaned. For joined wraps/reprs, the whole joined message. */
  readonly text: string;
  /** Every line of a multi-line record (first one is `text`); absent for single lines. */
  readonly lines?: readonly string[];
  /** ISO-8601 local time from a wrapper/logging prefix, when the line had one with a date. */
  readonly ts?: string;
  /** Log level from the prefix, when there was one (`INFO`, `ERROR`, ...). */
  readonly level?: string;
}

/**
 * One runtime's parser: a pure step function over records with its state passed explicitly.
 * `parse` may update `state` and returns the events of this record, in order, in an array the
 * parser does not keep (or NO_EVENTS): the session cleans and hands out that array as it is.
 */
export interface RuntimeLogParser<S> {
  readonly runtime: RuntimeName;
  createState(): S;
  parse(state: S, record: LogRecord): readonly RuntimeEvent[];
  /** End of input: events held back waiting for more lines (e.g. a start without its version). */
  finish(state: S): readonly RuntimeEvent[];
}

/** Shared empty result, so the hot path allocates nothing for the common no-event record. */
export const NO_EVENTS: readonly RuntimeEvent[] = Object.freeze([]);

/** Lines of a record, including single-line ones. */
export function recordLines(r: LogRecord): readonly string[] {
  return r.lines ?? [r.text];
}
