// Turns physical lines into LogRecords (see log-record.ts). Streaming: `push` one physical line
// (without its `\n`) and get the records it completed; `flush` at the end of input or when the
// source goes idle. Memory is bounded: a record holds at most MAX_LINES lines / MAX_CHARS chars.
import type { LogRecord, LogRecordKind } from './log-record.js';
import type { PrefixScratch } from './line-prefix.js';
import { createOuterPrefix, createPrefixScratch, isJsSpace, mayHaveOuterPrefix, stripAnsi, stripOuterPrefix, stripPrefixesInto } from './line-prefix.js';
import { parseBar } from './tqdm.js';

const MAX_LINES = 400;
const MAX_CHARS = 256 * 1024;
const MAX_LINE_CHARS = 64 * 1024;
/**
 * Binary garbage or a log in another encoding: a NUL, or U+FFFD (what invalid UTF-8 decodes to).
 * Two `indexOf` scans: 2.5x cheaper per line than one regex character class over all C0 controls
 * (random binary bytes hold a NUL or an invalid sequence all but always).
 */
function isUnreadable(l: string): boolean {
  return l.indexOf('\0') >= 0 || l.indexOf('\ufffd') >= 0;
}
/** Lines kept at the end of a record cut to MAX_LINES / MAX_CHARS. */
const KEEP_TAIL = 40;
/** A repr whose brackets never close stops swallowing lines after this many. */
const MAX_REPR_LINES = 40;

/** Lines that continue an OOM message after its first line (cudaMallocAsync block). */
const OOM_CONTINUATION = /^(?:Currently allocated\s*:|Requested\s*:|Device limit\s*:|Free \(according to CUDA\)\s*:|PyTorch limit \(set by|\s+:\s)/;

/** The record being assembled. One per assembler, reused: `active` says whether it holds one. */
interface Pending {
  active: boolean;
  kind: LogRecordKind;
  /** First line (the record's `text` unless continuations are joined). */
  first: string;
  /** Every line, allocated only when a second line is appended. */
  lines: string[] | undefined;
  /** Number of lines held (1 + appended). */
  count: number;
  /** The last line held. */
  last: string;
  chars: number;
  ts: string | undefined;
  level: string | undefined;
  rich: boolean;
  /** traceback: the exception line was seen; further non-indented lines end the record. */
  gotException: boolean;
  /** joined Python repr: open bracket depth still > 0. */
  depth: number;
  /** `Memory summary:` table: `|` lines continue it. */
  table: boolean;
  /** Continuations were wrapped text (rich wrap, repr): join them into one `text`. */
  joinText: boolean;
  /** Byte offset at which this record's first line starts (for exactly-once tailing). */
  startOffset: number;
  /** Lines were dropped from the middle to stay within MAX_LINES / MAX_CHARS (counted once). */
  cut: boolean;
}

export interface AssemblerOptions {
  /**
   * Where lines the assembler cannot use whole are counted (binary bytes, invalid UTF-8, NUL
   * padding, a line over 64 Ki characters with no `\r` to cut it at), with the last reason.
   */
  readonly unreadable?: { count: number; last: string | undefined };
}

/** A containerd/CRI partial chunk held until its line's `F` chunk (per stream). */
interface Held {
  text: string;
  ts: string | undefined;
  startOffset: number;
}

export interface RecordAssembler {
  /**
   * One physical line (no trailing `\n`); `startOffset` is the byte offset where it began. The
   * records it completed are appended to `out` (a new array when omitted), which is returned.
   */
  push(line: string, startOffset?: number, out?: LogRecord[]): LogRecord[];
  flush(out?: LogRecord[]): LogRecord[];
  /** Offset of the first line not yet part of an emitted record (where a restart must resume). */
  pendingStartOffset(): number | undefined;
}

function bracketDepth(s: string, depth: number): number {
  let d = depth;
  let quote = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92 /* \ */) i++;
      else if (c === quote) quote = 0;
    } else if (c === 39 || c === 34) quote = c;
    else if (c === 40 || c === 91 || c === 123) d++;
    else if (c === 41 || c === 93 || c === 125) d--;
  }
  return d;
}

/**
 * A line that cannot continue an unclosed Python repr: blank, one with its own log prefix, or the
 * start of a traceback or its exception line. A traceback pasted without its indentation holds
 * `return f(` lines whose bracket never closes (comfyui/directml-could-not-allocate-tensor-unindented-traceback-2024-12.log).
 */
function endsRepr(raw: string, text: string): boolean {
  if (isBlank(text) || text.length !== raw.length) return true;
  const c = text.charCodeAt(0);
  if (c === 70 /* F */ && text.startsWith('File "')) return true;
  if (c === 84 /* T */ && text.startsWith('Traceback (')) return true;
  return EXCEPTION_LINE.test(text);
}
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception): /;

function endsWithOpener(s: string): boolean {
  let i = s.length - 1;
  while (i >= 0 && isJsSpace(s.charCodeAt(i))) i--;
  const c = s.charCodeAt(i);
  return c === 44 || c === 40 || c === 91 || c === 123;
}

/** `s.trim() === ''` without building the trimmed string. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isJsSpace(s.charCodeAt(i))) return false;
  return true;
}

/** Starts like OOM_CONTINUATION can (`C`, `R`, `D`, `F`, `P` or whitespace): skips the regex for most lines. */
function mayContinueOom(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 67 || c === 82 || c === 68 || c === 70 || c === 80 || isJsSpace(c);
}

function isOomContinuation(s: string): boolean {
  return mayContinueOom(s) && OOM_CONTINUATION.test(s);
}

/** `/^[│╰╭┃]/`: a rich traceback box line. */
function isBoxLine(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 0x2502 || c === 0x2570 || c === 0x256d || c === 0x2503;
}

function isIndented(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 32 || c === 9;
}

function start(p: Pending, kind: LogRecordKind, text: string, meta: PrefixScratch, offset: number): void {
  p.active = true;
  p.kind = kind;
  p.first = text;
  p.lines = undefined;
  p.count = 1;
  p.last = text;
  p.chars = text.length;
  p.ts = meta.ts;
  p.level = meta.level;
  p.rich = meta.rich;
  p.gotException = false;
  p.depth = 0;
  p.table = false;
  p.joinText = false;
  p.startOffset = offset;
  p.cut = false;
}

function classify(p: Pending, text: string, meta: PrefixScratch, offset: number): void {
  const c = text.charCodeAt(0); // each prefix below is tested only when its first character matches
  if ((c === 84 /* T */ && text.startsWith('Traceback (most recent call last)')) || (c === 0x256d /* ╭ */ && text.includes('Traceback'))) {
    start(p, 'traceback', text, meta, offset);
    return;
  }
  // a traceback whose header is outside the excerpt (or was eaten by a wrapper) still groups
  if (c === 32 && text.startsWith('  File "')) return start(p, 'traceback', text, meta, offset);
  if (c === 42 /* * */ && text.startsWith('*** Error ')) return start(p, 'a1111_error', text, meta, offset);
  start(p, 'line', text, meta, offset);
  if (c === 77 /* M */ && text.startsWith('Memory summary:')) p.table = true;
  else if (!isIndented(text) && endsWithOpener(text)) {
    const d = bracketDepth(text, 0);
    if (d > 0) p.depth = d;
  }
}

/**
 * A line over MAX_LINE_CHARS: its tail, from the first `\r` that keeps MAX_LINE_CHARS (a tqdm bar
 * redrawn without `\n`: only the earlier states go); `cut` says whether text was lost instead.
 */
function tail(l: string): { text: string; cut: boolean } {
  const from = l.length - MAX_LINE_CHARS;
  const cr = l.indexOf('\r', from);
  return cr < 0 ? { text: l.slice(from), cut: true } : { text: l.slice(cr + 1), cut: false };
}

export function createRecordAssembler(opts: AssemblerOptions = {}): RecordAssembler {
  const unreadable = opts.unreadable;
  const outer = createOuterPrefix();
  /** The time of the collector's prefix on the line being pushed (wins over the runtime's own). */
  let lineTs: string | undefined;
  const held: { stdout: Held | undefined; stderr: Held | undefined } = { stdout: undefined, stderr: undefined };
  const refuse = (reason: string): void => {
    if (unreadable === undefined) return;
    unreadable.count++;
    unreadable.last = reason;
  };
  const pending: Pending = {
    active: false,
    kind: 'line',
    first: '',
    lines: undefined,
    count: 0,
    last: '',
    chars: 0,
    ts: undefined,
    level: undefined,
    rich: false,
    gotException: false,
    depth: 0,
    table: false,
    joinText: false,
    startOffset: 0,
    cut: false,
  };
  const meta = createPrefixScratch();

  function finish(out: LogRecord[]): void {
    const p = pending;
    if (!p.active) return;
    p.active = false;
    const text = p.joinText && p.lines !== undefined ? p.lines.join(' ') : p.first;
    const rec: { kind: LogRecordKind; text: string; lines?: string[]; ts?: string; level?: string } = { kind: p.kind, text };
    if (p.lines !== undefined && !p.joinText) rec.lines = p.lines;
    if (p.ts !== undefined) rec.ts = p.ts;
    if (p.level !== undefined) rec.level = p.level;
    p.lines = undefined;
    out.push(rec);
  }

  function append(p: Pending, text: string): void {
    if (p.count >= MAX_LINES || p.chars + text.length > MAX_CHARS) {
      // Bounded: the middle goes, the end stays (a traceback's exception line is its last). One
      // line before the kept tail goes for the line count, as many as the characters need.
      const lines = p.lines;
      if (lines === undefined) return;
      do {
        if (lines.length <= KEEP_TAIL + 1) return;
        p.chars -= (lines.splice(lines.length - KEEP_TAIL, 1)[0] ?? '').length;
      } while (p.chars + text.length > MAX_CHARS);
      if (!p.cut) refuse(`record over ${MAX_LINES} lines or ${MAX_CHARS} characters: lines before its last ${KEEP_TAIL} dropped`);
      p.cut = true;
      lines.push(text);
      p.count++;
      p.last = text;
      p.chars += text.length;
      return;
    }
    if (p.lines === undefined) p.lines = [p.first, text];
    else p.lines.push(text);
    p.count++;
    p.last = text;
    p.chars += text.length;
  }

  /** Does `text` continue the pending record? Appends it when it does. */
  function continues(p: Pending, raw: string, text: string, rich: boolean): boolean {
    if (p.kind === 'traceback') {
      if (text === '' || (text.includes('%|') && parseBar(text) !== undefined)) return false;
      if (!p.gotException) {
        append(p, text);
        // Python's exception line is the first unindented line after the frames.
        if (!isIndented(text) && !isBoxLine(text)) p.gotException = true;
        return true;
      }
      if (text.startsWith('During handling of the above exception') || text.startsWith('The above exception was the direct cause')) {
        append(p, text);
        p.gotException = false;
        return true;
      }
      if (isOomContinuation(text)) {
        append(p, text);
        return true;
      }
      return false;
    }
    if (p.kind === 'a1111_error') {
      if (p.gotException) return false; // closed by `---`
      if (text.startsWith('***') || isIndented(text)) {
        append(p, text);
        return true;
      }
      if (text === '---') {
        append(p, text);
        p.gotException = true; // closed
        return true;
      }
      return false;
    }
    if (p.depth > 0 && p.count < MAX_REPR_LINES && !endsRepr(raw, text)) {
      p.joinText = true;
      append(p, text.trim());
      p.depth = bracketDepth(text, p.depth);
      return true;
    }
    if (p.table) {
      if (text.startsWith('|')) {
        append(p, text);
        return true;
      }
      return false;
    }
    if (isOomContinuation(text) && (p.count > 1 || /out of memory|Allocation on device/.test(p.last))) {
      append(p, text);
      return true;
    }
    if (p.rich && !rich && raw.startsWith('                    ') && !isBlank(text)) {
      p.joinText = true;
      append(p, text.trim());
      return true;
    }
    return false;
  }

  /** One segment of a physical line (between carriage returns / after a glued bar). */
  function segment(seg: string, offset: number, out: LogRecord[]): void {
    // one search answers for the compose prefix and the bar (`%|`): most lines hold no `|`
    const hasPipe = seg.indexOf('|') >= 0;
    stripPrefixesInto(seg, meta, hasPipe);
    if (lineTs !== undefined) meta.ts = lineTs;
    let text = meta.text;
    if (pending.active && continues(pending, seg, text, meta.rich)) return;
    finish(out);
    if (isBlank(text)) return; // blank lines (and bare prefixes) only end records
    const bar = hasPipe ? parseBar(text) : undefined;
    if (bar !== undefined) {
      const rest = text.slice(bar.end);
      text = text.slice(0, bar.end);
      const rec: { kind: 'bar'; text: string; ts?: string; level?: string } = { kind: 'bar', text };
      if (meta.ts !== undefined) rec.ts = meta.ts;
      out.push(rec);
      if (!isBlank(rest)) segment(rest, offset, out);
      return;
    }
    classify(pending, text, meta, offset);
  }

  /** One physical line without the collector's prefix. */
  function pushLine(line: string, startOffset: number, out: LogRecord[]): LogRecord[] {
    let l = line;
    let refused = false;
    if (l.length > MAX_LINE_CHARS) {
      const t = tail(l);
      l = t.text;
      if (t.cut) {
        refuse(`line of ${line.length} characters: only its last ${MAX_LINE_CHARS} read`);
        refused = true;
      }
    }
    l = stripAnsi(l);
    if (l.charCodeAt(0) === 0xfeff) l = l.slice(1); // a byte order mark (PowerShell, UTF-8-sig), also after a collector's prefix
    if (isUnreadable(l)) {
      if (!refused) refuse(l.includes('\0') ? 'NUL bytes in a line' : 'binary or non-UTF-8 bytes in a line');
      // NUL padding (a file extended after a crash) glues the next real line to garbage: a break
      if (l.includes('\0')) l = l.replace(/\0+/g, '\r');
    }
    if (l.charCodeAt(l.length - 1) === 13) l = l.slice(0, -1);
    if (!l.includes('\r')) {
      segment(l, startOffset, out);
      return out;
    }
    // tqdm redraws: keep every non-bar segment, but only the last state of consecutive bars.
    const parts = l.split('\r');
    for (let i = 0; i < parts.length; i++) {
      const s = parts[i] ?? '';
      if (s === '') continue;
      const next = parts[i + 1];
      if (next !== undefined && parseBar(s) !== undefined && parseBar(next) !== undefined) continue;
      segment(s, startOffset, out);
    }
    return out;
  }

  return {
    push(line: string, startOffset = 0, out: LogRecord[] = []): LogRecord[] {
      let l = line;
      lineTs = undefined;
      if (mayHaveOuterPrefix(l)) stripOuterPrefix(l, outer);
      else outer.len = 0;
      if (outer.len > 0) {
        l = l.slice(outer.len);
        lineTs = outer.ts;
        if (outer.stream !== undefined) {
          // containerd splits a long line into `P` chunks ended by an `F` chunk: join them
          const h = held[outer.stream];
          if (outer.partial) {
            if (h === undefined) held[outer.stream] = { text: l, ts: outer.ts, startOffset };
            else h.text = h.text.length > 2 * MAX_LINE_CHARS ? h.text.slice(-MAX_LINE_CHARS) + l : h.text + l;
            return out;
          }
          if (h !== undefined) {
            l = h.text + l;
            lineTs = h.ts;
            held[outer.stream] = undefined;
          }
        }
      }
      return pushLine(l, startOffset, out);
    },
    flush(out: LogRecord[] = []): LogRecord[] {
      // partial chunks whose `F` never came (the container stopped mid-line) are lines too
      for (const stream of ['stdout', 'stderr'] as const) {
        const h = held[stream];
        if (h === undefined) continue;
        held[stream] = undefined;
        lineTs = h.ts;
        pushLine(h.text, h.startOffset, out);
      }
      lineTs = undefined;
      finish(out);
      return out;
    },
    pendingStartOffset(): number | undefined {
      let at = pending.active ? pending.startOffset : undefined;
      for (const h of [held.stdout, held.stderr]) if (h !== undefined && (at === undefined || h.startOffset < at)) at = h.startOffset;
      return at;
    },
  };
}

/** Assembles a whole text (tests, `parse-log`). */
export function assembleRecords(text: string): LogRecord[] {
  const a = createRecordAssembler();
  const out: LogRecord[] = [];
  let from = 0;
  while (from <= text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    if (nl > from || nl < text.length) for (const r of a.push(text.slice(from, nl))) out.push(r);
    from = nl + 1;
  }
  for (const r of a.flush()) out.push(r);
  return out;
}
