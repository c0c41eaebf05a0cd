// What real tools do to a runtime's log between the runtime and the agent, applied to a recorded
// fixture: line endings, colours, progress redraws, wrapper prefixes (journald, syslog, docker,
// containerd/CRI), byte order marks, foreign lines, overlong lines, binary garbage. Every variant is
// a pure function of the text and a seeded PRNG, so a failure names a seed that reproduces it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES, type RuntimeName } from '@renderwatch/schema';

export const RUNTIME_FIXTURES = join(import.meta.dirname, '../fixtures/runtime-logs');

export interface LogFixture {
  /** `<dir>/<file>` under agent/test/fixtures/runtime-logs. */
  readonly name: string;
  readonly runtime: RuntimeName;
  readonly text: string;
}

/** Every recorded runtime log (the download recordings are read with the ComfyUI parser). */
export function loadLogFixtures(): LogFixture[] {
  const out: LogFixture[] = [];
  for (const dir of [...RUNTIMES, 'downloads']) {
    const runtime: RuntimeName = dir === 'downloads' ? 'comfyui' : (dir as RuntimeName);
    for (const f of readdirSync(join(RUNTIME_FIXTURES, dir))
      .filter((n) => !n.endsWith('.md'))
      .sort())
      out.push({ name: `${dir}/${f}`, runtime, text: readFileSync(join(RUNTIME_FIXTURES, dir, f), 'utf8') });
  }
  return out;
}

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** Lines of a text without their `\n` (a final line without one is kept). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
const join_ = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

export const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

const ESC = '\u001b';
const COLOURS = [`${ESC}[32m`, `${ESC}[1;31m`, `${ESC}[0;36m`, `${ESC}[38;5;208m`, `${ESC}[2K`, `${ESC}[A`, `${ESC}(B${ESC}[m`];

/**
 * ANSI colour codes where coloured console handlers put them: around the whole line, around the
 * first word (a level name), and an erase-line code; the visible text is unchanged.
 */
export function ansi(text: string, rng: Rng): string {
  return join_(
    splitLines(text).map((l) => {
      const c = COLOURS[int(rng, COLOURS.length)] ?? '';
      const sp = l.indexOf(' ');
      switch (int(rng, 4)) {
        case 0:
          return `${c}${l}${ESC}[0m`;
        case 1:
          return sp > 0 ? `${c}${l.slice(0, sp)}${ESC}[0m${l.slice(sp)}` : `${c}${l}${ESC}[0m`;
        case 2:
          // rich's hyperlinks: OSC 8 ended by ST (ESC \\), around the whole line
          return `${ESC}]8;;file:///srv/comfyui/main.py${ESC}\\${l}${ESC}]8;;${ESC}\\`;
        default:
          return `${ESC}[2K${l}${ESC}[0m`;
      }
    }),
  );
}

/** A tqdm bar's earlier states, as tqdm redraws them with `\r` before the recorded final state. */
const BAR = /^(.*?)(\s*)(\d{1,3})%\|([^|]*)\| (\d+(?:\.\d+)?[kMGTPE]?)\/(\d+(?:\.\d+)?[kMGTPE]?)( \[.*)?$/;

export function tqdmRedraws(text: string, rng: Rng): string {
  return join_(
    splitLines(text).map((l) => {
      const last = l.split('\r').at(-1) ?? '';
      const m = BAR.exec(last);
      if (m === null || !/^\d+$/.test(m[5] ?? '') || !/^\d+$/.test(m[6] ?? '')) return l;
      const total = Number(m[6]);
      const done = Number(m[5]);
      const n = 1 + int(rng, 4);
      const states: string[] = [];
      for (let i = 0; i < n; i++) {
        const step = Math.floor((done * i) / n);
        const pct = total === 0 ? 0 : Math.floor((100 * step) / total);
        states.push(`${m[1]}${m[2]}${String(pct).padStart(3)}%|${' '.repeat((m[4] ?? '').length)}| ${step}/${total} [00:0${i}<00:10,  1.00it/s]`);
      }
      const head = l.slice(0, l.length - last.length);
      return `${head}${head === '' || head.endsWith('\r') ? '' : '\r'}${states.join('\r')}\r${last}`;
    }),
  );
}

export const bom = (text: string): string => `\uFEFF${text}`;

/** Wrapper prefixes that the tools collecting a process's output put in front of every line. */
export const PREFIXES: Readonly<Record<string, (i: number) => string>> = {
  // `docker logs -t` / `kubectl logs --timestamps`: RFC 3339 with nanoseconds, UTC
  docker: (i) => `2026-01-02T03:04:${String(i % 60).padStart(2, '0')}.123456789Z `,
  // containerd/CRI-O log files (/var/log/pods/...): time, stream, F (full line) tag
  cri: (i) => `2026-01-02T03:04:${String(i % 60).padStart(2, '0')}.123456789Z ${i % 3 === 0 ? 'stderr' : 'stdout'} F `,
  // journalctl / syslog short format (no year)
  journald: (i) => `Jan 02 03:04:${String(i % 60).padStart(2, '0')} gpu-host-7 comfyui[1234]: `,
  // journalctl -o short-iso
  journaldIso: (i) => `2026-01-02T03:04:${String(i % 60).padStart(2, '0')}+0000 gpu-host-7 python3[1234]: `,
  // rsyslog's RFC 3339 file format (Debian 12 /var/log/syslog)
  rsyslog: (i) => `2026-01-02T03:04:${String(i % 60).padStart(2, '0')}.123456+00:00 gpu-host-7 comfyui[1234]: `,
};

export function prefixed(text: string, prefix: (i: number) => string): string {
  return join_(splitLines(text).map((l, i) => prefix(i) + l));
}

/**
 * containerd splits lines longer than its buffer into `P` (partial) chunks ended by one `F` chunk;
 * here every line longer than `size` characters is split so.
 */
export function criPartials(text: string, size: number): string {
  const out: string[] = [];
  splitLines(text).forEach((l, i) => {
    const stream = i % 3 === 0 ? 'stderr' : 'stdout';
    let rest = l;
    while (rest.length > size) {
      out.push(`2026-01-02T03:04:05.000000001Z ${stream} P ${rest.slice(0, size)}`);
      rest = rest.slice(size);
    }
    out.push(`2026-01-02T03:04:05.000000001Z ${stream} F ${rest}`);
  });
  return join_(out);
}

/** The text cut at `at` (a crash mid-write): the final line is incomplete. */
export const truncateAt = (text: string, at: number): string => text.slice(0, at);

/** Inserts `lines` before the given line indexes (each index once, in order). */
export function insertBefore(text: string, at: ReadonlyMap<number, string>): string {
  const lines = splitLines(text);
  const out: string[] = [];
  lines.forEach((l, i) => {
    const x = at.get(i);
    if (x !== undefined) out.push(x);
    out.push(l);
  });
  const end = at.get(lines.length);
  if (end !== undefined) out.push(end);
  return join_(out);
}

/** Bytes of binary garbage: controls, bytes above 0x7f (invalid UTF-8 alone), letters; no whitespace. */
const GARBAGE_BYTES = [...Array(256).keys()].filter((b) => b < 9 || (b > 13 && b < 32) || b >= 127 || /[A-Za-z0-9]/.test(String.fromCharCode(b)));

/** One line of binary garbage, as the tailer decodes it (UTF-8, invalid sequences → U+FFFD). */
export function garbageLine(rng: Rng, len: number): string {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = GARBAGE_BYTES[int(rng, GARBAGE_BYTES.length)] ?? 0;
  b[0] = 0xff; // never text-like at its start
  return new TextDecoder().decode(b);
}

/** A text line in Latin-1 (a Windows console's code page) read as UTF-8: each accent is U+FFFD. */
export function latin1Line(text: string): string {
  return new TextDecoder().decode(Buffer.from(text, 'latin1'));
}

/**
 * Tracebacks made deep (a recursive executor, a long chain): `frames` synthetic frames after each
 * `Traceback (most recent call last):` line that starts a plain traceback. Returns the text and how
 * many tracebacks were deepened.
 */
export function deepTracebacks(text: string, frames: number): { text: string; deepened: number } {
  const lines = splitLines(text);
  const out: string[] = [];
  let deepened = 0;
  lines.forEach((l, i) => {
    out.push(l);
    if (l === 'Traceback (most recent call last):' && (lines[i + 1] ?? '').startsWith('  File "')) {
      deepened++;
      for (let k = 0; k < frames; k++) out.push(`  File "/srv/app/deep/step_${k}.py", line ${k + 1}, in step_${k}`, `    return step_${k + 1}(x)`);
    }
  });
  return { text: join_(out), deepened };
}
