// Binds a runtime's parser to its state and the record assembler: text or lines in, events out.
// Every event leaves through `clean`, the one place that drops absent (undefined) fields.
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { NO_EVENTS } from './log-record.js';
import { PARSERS } from './parser-registry.js';
import { createRecordAssembler } from './record-assembler.js';

export interface ParserSession {
  /** Feeds one record; returns its events (a shared empty array when there are none). */
  record(r: LogRecord): readonly RuntimeEvent[];
  /** End of input: held-back events. */
  finish(): RuntimeEvent[];
}

function clean(e: RuntimeEvent): RuntimeEvent {
  const o = e as unknown as Record<string, unknown>;
  // events are plain objects (no inherited enumerable keys): for-in visits what Object.keys lists
  for (const k in o) if (o[k] === undefined) delete o[k];
  return e;
}

function bind<S>(p: RuntimeLogParser<S>): ParserSession {
  const state = p.createState();
  return {
    record: (r) => {
      // parsers return a fresh array per record (or NO_EVENTS): cleaned in place, no copy
      const evs = p.parse(state, r);
      for (let i = 0; i < evs.length; i++) clean(evs[i] as RuntimeEvent);
      return evs.length === 0 ? NO_EVENTS : evs;
    },
    finish: () => p.finish(state).map(clean),
  };
}

export function createParserSession(runtime: RuntimeName): ParserSession {
  return bind(PARSERS[runtime]);
}

/** Parses a whole log text with one runtime's parser; events in log order. */
export function parseLogText(text: string, runtime: RuntimeName): RuntimeEvent[] {
  const session = createParserSession(runtime);
  const assembler = createRecordAssembler();
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
  return out;
}
