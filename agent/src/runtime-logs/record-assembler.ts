// Turns physical lines into LogRecords (see log-record.ts). Streaming: `push` one physical line
// (without its `\n`) and get the records it completed; `flush` at the end of input or when the
// source goes idle. Memory is bounded: a record holds at most MAX_LINES lines / MAX_CHARS chars.
import type { LogRecord, LogRecordKind } from './log-record.js';
import { stripAnsi, stripPrefixes } from './line-prefix.js';
import { parseBar } from './tqdm.js';

const MAX_LINES = 400;
const MAX_CHARS = 256 * 1024;
const MAX_LINE_CHARS = 64 * 1024;
/** A repr whose brackets never close stops swallowing lines after this many. */
const MAX_REPR_LINES = 40;

/** Lines that continue an OOM message after its first line (cudaMallocAsync block). */
const OOM_CONTINUATION = /^(?:Currently allocated\s*:|Requested\s*:|Device limit\s*:|Free \(according to CUDA\)\s*:|PyTorch limit \(set by|\s+:\s)/;

interface Pending {
  kind: LogRecordKind;
  lines: string[];
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
}

export interface AssemblerOptions {
  /** Byte offsets are tracked only when the caller passes them to `push`. */
  readonly trackOffsets?: boolean;
}

export interface RecordAssembler {
  /** One physical line (no trailing `\n`); `startOffset` is the byte offset where it began. */
  push(line: string, startOffset?: number): LogRecord[];
  flush(): LogRecord[];
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

function endsWithOpener(s: string): boolean {
  const t = s.trimEnd();
  const c = t.charCodeAt(t.length - 1);
  return c === 44 || c === 40 || c === 91 || c === 123;
}

function isIndented(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 32 || c === 9;
}

function start(kind: LogRecordKind, text: string, meta: { ts?: string; level?: string; rich?: boolean }, offset: number): Pending {
  return {
    kind,
    lines: [text],
    chars: text.length,
    ts: meta.ts,
    level: meta.level,
    rich: meta.rich === true,
    gotException: false,
    depth: 0,
    table: false,
    joinText: false,
    startOffset: offset,
  };
}

function classify(text: string, meta: { ts?: string; level?: string; rich?: boolean }, offset: number): Pending {
  if (text.startsWith('Traceback (most recent call last)') || (text.startsWith('╭') && text.includes('Traceback'))) {
    return start('traceback', text, meta, offset);
  }
  // a traceback whose header is outside the excerpt (or was eaten by a wrapper) still groups
  if (text.startsWith('  File "')) return start('traceback', text, meta, offset);
  if (text.startsWith('*** Error ')) return start('a1111_error', text, meta, offset);
  const p = start('line', text, meta, offset);
  if (text.startsWith('Memory summary:')) p.table = true;
  else if (!isIndented(text) && endsWithOpener(text)) {
    const d = bracketDepth(text, 0);
    if (d > 0) p.depth = d;
  }
  return p;
}

export function createRecordAssembler(): RecordAssembler {
  let pending: Pending | undefined;

  function finish(out: LogRecord[]): void {
    if (pending === undefined) return;
    const p = pending;
    pending = undefined;
    const text = p.joinText ? p.lines.join(' ') : (p.lines[0] ?? '');
    const rec: { kind: LogRecordKind; text: string; lines?: string[]; ts?: string; level?: string } = { kind: p.kind, text };
    if (p.lines.length > 1 && !p.joinText) rec.lines = p.lines;
    if (p.ts !== undefined) rec.ts = p.ts;
    if (p.level !== undefined) rec.level = p.level;
    out.push(rec);
  }

  function append(p: Pending, text: string): void {
    if (p.lines.length >= MAX_LINES || p.chars + text.length > MAX_CHARS) return; // bounded: drop the excess
    p.lines.push(text);
    p.chars += text.length;
  }

  /** Does `text` continue the pending record? Appends it when it does. */
  function continues(p: Pending, raw: string, text: string, rich: boolean): boolean {
    if (p.kind === 'traceback') {
      if (text === '' || (text.includes('%|') && parseBar(text) !== undefined)) return false;
      if (!p.gotException) {
        append(p, text);
        // Python's exception line is the first unindented line after the frames.
        if (!isIndented(text) && !/^[│╰╭┃]/.test(text)) p.gotException = true;
        return true;
      }
      if (text.startsWith('During handling of the above exception') || text.startsWith('The above exception was the direct cause')) {
        append(p, text);
        p.gotException = false;
        return true;
      }
      if (OOM_CONTINUATION.test(text)) {
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
    if (p.depth > 0 && p.lines.length < MAX_REPR_LINES) {
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
    if (OOM_CONTINUATION.test(text) && /out of memory|Allocation on device/.test(p.lines[p.lines.length - 1] ?? '')) {
      append(p, text);
      return true;
    }
    if (OOM_CONTINUATION.test(text) && p.lines.length > 1) {
      append(p, text);
      return true;
    }
    if (p.rich && !rich && raw.startsWith('                    ') && text.trim() !== '') {
      p.joinText = true;
      append(p, text.trim());
      return true;
    }
    return false;
  }

  /** One segment of a physical line (between carriage returns / after a glued bar). */
  function segment(seg: string, offset: number, out: LogRecord[]): void {
    const meta = stripPrefixes(seg);
    let text = meta.text;
    if (pending !== undefined && continues(pending, seg, text, meta.rich === true)) return;
    finish(out);
    if (text.trim() === '') return; // blank lines (and bare prefixes) only end records
    const bar = parseBar(text);
    if (bar !== undefined) {
      const rest = text.slice(bar.end);
      text = text.slice(0, bar.end);
      const rec: { kind: 'bar'; text: string; ts?: string; level?: string } = { kind: 'bar', text };
      if (meta.ts !== undefined) rec.ts = meta.ts;
      out.push(rec);
      if (rest.trim() !== '') segment(rest, offset, out);
      return;
    }
    pending = classify(text, meta, offset);
  }

  return {
    push(line: string, startOffset = 0): LogRecord[] {
      const out: LogRecord[] = [];
      let l = line.length > MAX_LINE_CHARS ? line.slice(line.length - MAX_LINE_CHARS) : line;
      l = stripAnsi(l);
      if (l.endsWith('\r')) l = l.slice(0, -1);
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
    },
    flush(): LogRecord[] {
      const out: LogRecord[] = [];
      finish(out);
      return out;
    },
    pendingStartOffset(): number | undefined {
      return pending?.startOffset;
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
