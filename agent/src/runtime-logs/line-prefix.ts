// Strips what wrappers and logging configs put in front of a runtime's own text, keeping the
// timestamp when the prefix carries a date (research §4 pitfall 6). Times carry no zone: the
// wrappers print local time, so `ts` is a local ISO-8601 time without an offset.

export interface StrippedLine {
  readonly text: string;
  readonly ts?: string;
  readonly level?: string;
  /** The prefix came from a rich console handler (SD.Next, kohya): wrapped continuation lines follow. */
  readonly rich?: boolean;
}

// Every pattern is anchored at the start and tried only after a cheap first-char test.
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}\\][^${BEL}]*${BEL}`, 'g');
const MANAGER = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)\] ?(?:\[(info|warn|warning|error|debug)\] )?/;
const INVOKEAI = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})\]::\[[^\]]*\]::(\w+) --> /;
const ISO_EXPORT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?) - /;
const PY_LOGGING = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:,(\d{3}))? - [\w.]+ - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - /;
const A1111_LOGGING = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[[\w.]+\] /;
const SDNEXT_FILE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) \| [^|]+ \| [^|]+ \| (\w+) \| [^|]+ \| /;
const RICH_DATED = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s{2,}/;
const RICH_CLOCK = /^\d\d:\d\d:\d\d-\d{6} (DEBUG|INFO|WARNING|ERROR|CRITICAL|TRACE)\s+/;
const RICH_BLANK_TIME = /^\s+(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s{2,}/;
const RICH_SOURCE_SUFFIX = /\s{2,}[\w.-]+\.py:\d+\s*$/;
const ACCELERATE = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d) - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - [\w.]+ - /;
const BASIC_CONFIG = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:/;
const COMPOSE = /^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )?[\w.-]+-\d+\s+\| /;

export function stripAnsi(s: string): string {
  return s.includes(ESC) ? s.replace(ANSI, '') : s;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Removes one layer of known prefixes; repeated until none matches (export lines can hold several). */
export function stripPrefixes(input: string): StrippedLine {
  let text = input;
  let ts: string | undefined;
  let level: string | undefined;
  let rich = false;
  for (let guard = 0; guard < 4; guard++) {
    const c = text.charCodeAt(0);
    let m: RegExpExecArray | null = null;
    if (c === 91 /* [ */) {
      if ((m = INVOKEAI.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}.${m[3]}`;
        level ??= m[4];
      } else if ((m = MANAGER.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}`;
        if (m[3] !== undefined) level ??= m[3].toUpperCase();
      }
    } else if (isDigit(c)) {
      // the shape of the first characters picks the candidates: `YYYY-`, `HH:`, `MM/`
      const c2 = text.charCodeAt(2);
      const c4 = text.charCodeAt(4);
      if (c4 !== 45 && c2 !== 58 && c2 !== 47) {
        // not a date or a clock (a tqdm bar, a number): only docker compose could still apply
      } else if ((m = ISO_EXPORT.exec(text)) !== null) ts ??= m[1];
      else if ((m = PY_LOGGING.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}${m[3] === undefined ? '' : `.${m[3]}`}`;
        level ??= m[4];
      } else if ((m = A1111_LOGGING.exec(text)) !== null || (m = SDNEXT_FILE.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}.${m[3]}`;
        level ??= m[4];
      } else if ((m = RICH_DATED.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}`;
        level ??= m[3];
        rich = true;
      } else if ((m = RICH_CLOCK.exec(text)) !== null) {
        level ??= m[1];
        rich = true;
      } else if ((m = ACCELERATE.exec(text)) !== null) {
        ts ??= `${m[3]}-${m[1]}-${m[2]}T${m[4]}`;
        level ??= m[5];
      } else if ((m = COMPOSE.exec(text)) !== null) {
        // docker compose with timestamps; the date-less form is handled below
      }
    } else if (c === 32 /* space */) {
      if ((m = RICH_BLANK_TIME.exec(text)) !== null) {
        level ??= m[1];
        rich = true;
      }
    } else if (c === 68 || c === 73 || c === 87 || c === 69 || c === 67) {
      m = BASIC_CONFIG.exec(text);
      if (m !== null) level ??= m[1];
    }
    if (m === null && text.includes(' | ')) m = COMPOSE.exec(text);
    if (m === null) break;
    text = text.slice(m[0].length);
  }
  if (rich) text = text.replace(RICH_SOURCE_SUFFIX, '');
  const out: { text: string; ts?: string; level?: string; rich?: boolean } = { text };
  if (ts !== undefined) out.ts = ts;
  if (level !== undefined) out.level = level;
  if (rich) out.rich = true;
  return out;
}
