// Binds a runtime's parser to its state and the record assembler: text or lines in, events out.
// Every event leaves through `clean`, the one place that drops absent (undefined) fields.
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { PARSERS } from './parser-registry.js';
import { createRecordAssembler } from './record-assembler.js';

export interface ParserSession {
  /** Feeds one record; returns its events. */
  record(r: LogRecord): RuntimeEvent[];
  /** End of input: held-back events. */
  finish(): RuntimeEvent[];
}

function clean(e: RuntimeEvent): RuntimeEvent {
  for (const k of Object.keys(e)) if ((e as unknown as Record<string, unknown>)[k] === undefined) delete (e as unknown as Record<string, unknown>)[k];
  return e;
}

function bind<S>(p: RuntimeLogParser<S>): ParserSession {
  const state = p.createState();
  return {
    record: (r) => {
      const evs = p.parse(state, r);
      return evs.length === 0 ? [] : evs.map(clean);
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
  const take = (recs: readonly LogRecord[]): void => {
    for (const r of recs) for (const e of session.record(r)) out.push(e);
  };
  let from = 0;
  const n = text.length;
  while (from < n) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = n;
    take(assembler.push(text.slice(from, nl)));
    from = nl + 1;
  }
  take(assembler.flush());
  for (const e of session.finish()) out.push(e);
  return out;
}
