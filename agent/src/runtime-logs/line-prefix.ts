// Strips what wrappers and logging configs put in front of a runtime's own text, keeping the
// timestamp when the prefix carries a date (docs/research/runtime-logs.md "4 Pitfalls" no. 6). Times carry no zone: the
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
// CSI (colours, cursor moves, erase), OSC ended by BEL or ST (titles, rich's hyperlinks), charset
// selection (`tput sgr0` prints ESC ( B) and keypad modes.
const ANSI = new RegExp(`${ESC}\\[[0-?]*[ -/]*[@-~]|${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)|${ESC}[()*+][0-9A-Za-z]|${ESC}[=>78]`, 'g');
const MANAGER = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)\] ?(?:\[(info|warn|warning|error|debug)\] )?/;
/** A bare `[INFO] ` / `[ERROR] ` before ComfyUI's lines (comfyui/zluda-level-bracket-prefix-cublas-not-supported-2025.log). */
const BRACKET_LEVEL = /^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] /;
const INVOKEAI = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})\]::\[[^\]]*\]::(\w+) --> /;
const ISO_EXPORT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?) - /;
const PY_LOGGING = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:,(\d{3}))? - [\w.]+ - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - /;
const A1111_LOGGING = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[[\w.]+\] /;
// sdnext.log: `ts | host | name | LEVEL | module | msg`, before 2025 without the host
// (sdnext/logfile-pipes-xpu-load-model-time-2024-06.log), and a tab-separated form (sdnext/logfile-tabs-oom-processed-zero-images-2024-11.log)
const SDNEXT_FILE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) \| (?:[^|]+ \| )?[^|]+ \| (DEBUG|INFO|WARNING|ERROR|CRITICAL|TRACE) \| [^|]+ \| /;
const SDNEXT_TABS = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3})\t(DEBUG|INFO|WARNING|ERROR|CRITICAL|TRACE)\t[^\t]+\t[^\t]+\t/;
const RICH_DATED = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s{2,}/;
const RICH_CLOCK = /^\d\d:\d\d:\d\d-\d{6} (DEBUG|INFO|WARNING|ERROR|CRITICAL|TRACE)\s+/;
const RICH_BLANK_TIME = /^\s+(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s{2,}/;
const RICH_SOURCE_SUFFIX = /\s{2,}[\w.-]+\.py:\d+\s*$/;
const ACCELERATE = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d) - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - [\w.]+ - /;
const BASIC_CONFIG = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:/;
const COMPOSE = /^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )?[\w.-]+-\d+\s+\| /;

// Prefixes the tools that collect a process's output put in front of each line (docs/runtime-adapters.md
// "Line formats accepted"): `docker logs -t` / `kubectl logs --timestamps` (RFC 3339, UTC),
// containerd/CRI-O log files (time, stream, `F` full / `P` partial line), rsyslog's RFC 3339 file
// format and `journalctl -o short-iso[-precise]` (time with offset, host, `tag[pid]:`), and
// `journalctl` / syslog's short format (`Jan 02 03:04:05 host tag[pid]:`, no year: no time kept).
const OUTER_ZONED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d) (?:(stdout|stderr) ([FP]) |[\w.-]+ [\w.@/:-]+\[\d+\]: )?/;
const OUTER_SHORT = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? [\w.-]+ [\w.@/:-]+\[\d+\]: /;

/** What `stripOuterPrefix` found (reused: every field is overwritten). */
export interface OuterPrefix {
  /** Characters of the prefix (0: none). */
  len: number;
  /** ISO-8601 time with its offset (`Z` or `+HH:MM`), when the prefix carried a dated one. */
  ts: string | undefined;
  /** containerd/CRI stream and whether the line is a partial chunk (`P`) of a longer one. */
  stream: 'stdout' | 'stderr' | undefined;
  partial: boolean;
}

export function createOuterPrefix(): OuterPrefix {
  return { len: 0, ts: undefined, stream: undefined, partial: false };
}

/** Month initials of OUTER_SHORT: J F M A S O N D. */
function isMonthInitial(c: number): boolean {
  return c === 74 || c === 70 || c === 77 || c === 65 || c === 83 || c === 79 || c === 78 || c === 68;
}

/**
 * Can `line` start with a collector's prefix? A few character tests, so most lines skip
 * `stripOuterPrefix`: `YYYY-MM-DDTHH:MM:SS[.fff]` followed by `Z`, `+` or `-` (not the runtime's own
 * offset-less ISO time), or a month name and a space.
 */
export function mayHaveOuterPrefix(line: string): boolean {
  const c = line.charCodeAt(0);
  if (isDigit(c)) {
    if (line.charCodeAt(10) !== 84 /* T */ || line.charCodeAt(4) !== 45) return false;
    let i = 19;
    if (line.charCodeAt(i) === 46 /* . */) while (isDigit(line.charCodeAt(++i)));
    const z = line.charCodeAt(i);
    return z === 90 /* Z */ || z === 43 /* + */ || z === 45; /* - */
  }
  return isMonthInitial(c) && line.charCodeAt(3) === 32;
}

/**
 * Finds a collector's prefix (docker, CRI, journald, syslog) at the start of a physical line; the
 * caller strips `len` characters.
 */
export function stripOuterPrefix(line: string, out: OuterPrefix): void {
  out.len = 0;
  out.ts = undefined;
  out.stream = undefined;
  out.partial = false;
  const c = line.charCodeAt(0);
  if (isDigit(c)) {
    if (line.charCodeAt(10) !== 84 /* T */ || line.charCodeAt(4) !== 45) return;
    const m = OUTER_ZONED.exec(line);
    if (m === null) return;
    const zone = m[2] ?? 'Z';
    out.len = m[0].length;
    out.ts = `${m[1]}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
    if (m[3] !== undefined) {
      out.stream = m[3] === 'stderr' ? 'stderr' : 'stdout';
      out.partial = m[4] === 'P';
    }
  } else if (isMonthInitial(c) && line.charCodeAt(3) === 32) {
    const m = OUTER_SHORT.exec(line);
    if (m !== null) out.len = m[0].length;
  }
}

export function stripAnsi(s: string): string {
  return s.includes(ESC) ? s.replace(ANSI, '') : s;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** First letter of DEBUG, INFO, WARNING, ERROR or CRITICAL. */
function isLevelInitial(c: number): boolean {
  return c === 68 || c === 73 || c === 87 || c === 69 || c === 67;
}

/** Index of the first character at or after `i` that is not `\s`. */
function firstNonSpace(s: string, i: number): number {
  let j = i;
  while (j < s.length && isJsSpace(s.charCodeAt(j))) j++;
  return j;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `[\w.-]` without the `u` flag. */
function isWordish(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/** JavaScript's `\s` (and what `trim` removes). */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}

/**
 * Necessary for the date-less COMPOSE test (`text.includes(' | ')`, then the regex): the first `|`
 * (neither the date, the name nor the spaces can hold one) follows whitespace and precedes a space.
 */
function mayBeCompose(text: string): boolean {
  const p = text.indexOf('|');
  if (p <= 0 || text.charCodeAt(p + 1) !== 32) return false;
  const before = text.charCodeAt(p - 1);
  return before === 32 || (isJsSpace(before) && text.includes(' | '));
}

/** Reusable result of `stripPrefixesInto`, so the per-line hot path allocates nothing for it. */
export interface PrefixScratch {
  text: string;
  ts: string | undefined;
  level: string | undefined;
  rich: boolean;
}

export function createPrefixScratch(): PrefixScratch {
  return { text: '', ts: undefined, level: undefined, rich: false };
}

/** Removes one layer of known prefixes; repeated until none matches (export lines can hold several). */
export function stripPrefixes(input: string): StrippedLine {
  const s = createPrefixScratch();
  stripPrefixesInto(input, s);
  const out: { text: string; ts?: string; level?: string; rich?: boolean } = { text: s.text };
  if (s.ts !== undefined) out.ts = s.ts;
  if (s.level !== undefined) out.level = s.level;
  if (s.rich) out.rich = true;
  return out;
}

/**
 * `stripPrefixes` writing into `out` (every field is overwritten). `mayHavePipe: false` says the
 * caller already knows `input` holds no `|` (so no docker compose prefix).
 */
export function stripPrefixesInto(input: string, out: PrefixScratch, mayHavePipe = true): void {
  let text = input;
  let ts: string | undefined;
  let level: string | undefined;
  let rich = false;
  for (let guard = 0; guard < 4; guard++) {
    const c = text.charCodeAt(0);
    let m: RegExpExecArray | null = null;
    if (c === 91 /* [ */) {
      // `[YYYY-MM-DD HH:MM:SS` then `,` (InvokeAI) or `.`/`]` (Manager)
      if (text.charCodeAt(20) === 44 && (m = INVOKEAI.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}.${m[3]}`;
        level ??= m[4];
      } else if ((m = MANAGER.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}`;
        if (m[3] !== undefined) level ??= m[3].toUpperCase();
      } else if (isUpper(text.charCodeAt(1)) && (m = BRACKET_LEVEL.exec(text)) !== null) {
        level ??= m[1];
      }
    } else if (isDigit(c)) {
      // the shape of the first characters picks the candidates: `YYYY-`, `HH:`, `MM/`
      const c2 = text.charCodeAt(2);
      const c4 = text.charCodeAt(4);
      // after `YYYY-MM-DD`: `T` (export) or a space (the logging formats)
      const c10 = text.charCodeAt(10);
      if (c4 !== 45 && c2 !== 58 && c2 !== 47) {
        // not a date or a clock (a tqdm bar, a number): only docker compose could still apply
      } else if (c10 === 84 && (m = ISO_EXPORT.exec(text)) !== null) ts ??= m[1];
      else if (c10 === 32 && (m = PY_LOGGING.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}${m[3] === undefined ? '' : `.${m[3]}`}`;
        level ??= m[4];
      } else if (c10 === 32 && ((m = A1111_LOGGING.exec(text)) !== null || (m = SDNEXT_FILE.exec(text)) !== null || (m = SDNEXT_TABS.exec(text)) !== null)) {
        ts ??= `${m[1]}T${m[2]}.${m[3]}`;
        level ??= m[4];
      } else if (c10 === 32 && (m = RICH_DATED.exec(text)) !== null) {
        ts ??= `${m[1]}T${m[2]}`;
        level ??= m[3];
        rich = true;
      } else if (c2 === 58 && (m = RICH_CLOCK.exec(text)) !== null) {
        level ??= m[1];
        rich = true;
      } else if (c2 === 47 && (m = ACCELERATE.exec(text)) !== null) {
        ts ??= `${m[3]}-${m[1]}-${m[2]}T${m[4]}`;
        level ??= m[5];
      } else if ((m = COMPOSE.exec(text)) !== null) {
        // docker compose with timestamps; the date-less form is handled below
      }
    } else if (c === 32 /* space */) {
      if (isLevelInitial(text.charCodeAt(firstNonSpace(text, 1))) && (m = RICH_BLANK_TIME.exec(text)) !== null) {
        level ??= m[1];
        rich = true;
      }
    } else if (isLevelInitial(c) && isUpper(text.charCodeAt(1))) {
      m = BASIC_CONFIG.exec(text);
      if (m !== null) level ??= m[1];
    }
    if (m === null && mayHavePipe && isWordish(c) && mayBeCompose(text)) m = COMPOSE.exec(text);
    if (m === null) break;
    text = text.slice(m[0].length);
  }
  if (rich) text = text.replace(RICH_SOURCE_SUFFIX, '');
  out.text = text;
  out.ts = ts;
  out.level = level;
  out.rich = rich;
}
