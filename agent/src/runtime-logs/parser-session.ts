// Binds a runtime's parser to its state and the record assembler: text or lines in, events out.
// Every event leaves through `clean`, the one place that drops absent (undefined) fields.
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { NO_EVENTS, recordLines } from './log-record.js';
import { createDownloadState, scanDownload } from './model-download.js';
import { PARSERS } from './parser-registry.js';
import { createRecordAssembler } from './record-assembler.js';

export interface ParserSession {
  /** Feeds one record; returns its events (a shared empty array when there are none). */
  record(r: LogRecord): readonly RuntimeEvent[];
  /** End of input: held-back events. */
  finish(): RuntimeEvent[];
  /** Lines that looked like a known format but held impossible values (e.g. a 9 EB download), and the last reason. */
  readonly parseErrors: { count: number; last: string | undefined };
  /**
   * Lines the record assembler could not read whole (binary or non-UTF-8 bytes, NUL padding, over
   * 64 Ki characters), and the last reason: pass it to `createRecordAssembler({ unreadable })`.
   */
  readonly unreadable: { count: number; last: string | undefined };
}

export interface ParserSessionOptions {
  /** Also scan every record for model downloads (model_download events); default true. */
  readonly downloads?: boolean;
}

function clean(e: RuntimeEvent): RuntimeEvent {
  const o = e as unknown as Record<string, unknown>;
  // events are plain objects (no inherited enumerable keys): for-in visits what Object.keys lists
  for (const k in o) if (o[k] === undefined) delete o[k];
  return e;
}

function bind<S>(p: RuntimeLogParser<S>, opts: ParserSessionOptions): ParserSession {
  const state = p.createState();
  const dl = opts.downloads === false ? undefined : createDownloadState();
  const parseErrors: ParserSession['parseErrors'] = { count: 0, last: undefined };
  return {
    parseErrors,
    unreadable: { count: 0, last: undefined },
    record: (r) => {
      // parsers return a fresh array per record (or NO_EVENTS): cleaned in place, no copy
      const evs = p.parse(state, r);
      for (let i = 0; i < evs.length; i++) clean(evs[i] as RuntimeEvent);
      if (dl !== undefined) {
        const d = scanDownload(p.runtime, dl, r.lines === undefined ? r.text : recordLines(r).join('\n'), r.ts);
        if (d !== undefined && 'error' in d) {
          parseErrors.count++;
          parseErrors.last = d.error;
        } else if (d !== undefined) return evs.length === 0 ? [d.event] : [...evs, d.event];
      }
      return evs.length === 0 ? NO_EVENTS : evs;
    },
    finish: () => p.finish(state).map(clean),
  };
}

export function createParserSession(runtime: RuntimeName, opts: ParserSessionOptions = {}): ParserSession {
  return bind(PARSERS[runtime], opts);
}

/**
 * Parses a whole log text with one runtime's parser; events in log order. Downloads only when asked
 * (`parse-log` prints the docs/design.md contract kinds; the agent's log sources scan for downloads).
 */
export function parseLogText(text: string, runtime: RuntimeName, opts: ParserSessionOptions = { downloads: false }): RuntimeEvent[] {
  return parseLogTextCounted(text, runtime, opts).events;
}

/** `parseLogText`, also returning the session's counts of refused and unreadable lines. */
export function parseLogTextCounted(
  text: string,
  runtime: RuntimeName,
  opts: ParserSessionOptions = { downloads: false },
): { events: RuntimeEvent[]; parseErrors: ParserSession['parseErrors']; unreadable: ParserSession['unreadable'] } {
  const session = createParserSession(runtime, opts);
  const assembler = createRecordAssembler({ unreadable: session.unreadable });
  const out: RuntimeEvent[] = [];
  // one array for the records of every line: most lines complete one record, many none
  const recs: LogRecord[] = [];
  const take = (): void => {
    for (let i = 0; i < recs.length; i++) {
      const evs = session.record(recs[i] as LogRecord);
      for (let j = 0; j < evs.length; j++) out.push(evs[j] as RuntimeEvent);
    }
    while (recs.length > 0) recs.pop(); // cheaper than `length = 0` (a runtime call)
  };
  let from = 0;
  const n = text.length;
  while (from < n) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = n;
    assembler.push(text.slice(from, nl), 0, recs);
    if (recs.length > 0) take();
    from = nl + 1;
  }
  assembler.flush(recs);
  take();
  for (const e of session.finish()) out.push(e);
  return { events: out, parseErrors: session.parseErrors, unreadable: session.unreadable };
}
