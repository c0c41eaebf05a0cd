// log-parse: parse throughput of the runtime-log pipeline (record assembly + ComfyUI parser) over a
// ~100 MB ComfyUI log built by repeating the real fixtures, against baselines measured in the same
// run: splitting lines only, and splitting + one regex test per line.
// Run: node --import tsx bench/src/log-parse.ts [--mb 100] [--runtime comfyui]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import type { RuntimeName } from '@renderwatch/schema';
import { parseLogText } from '@renderwatch/agent';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const targetMb = Number(opt('mb', '100'));
const runtime = opt('runtime', 'comfyui') as RuntimeName;
if (!(RUNTIMES as readonly string[]).includes(runtime)) throw new Error(`unknown runtime ${runtime}`);

const dir = join(import.meta.dirname, '../../agent/test/fixtures/runtime-logs', runtime);
const seed = readdirSync(dir)
  .filter((f) => !f.endsWith('.md'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
  .join('');
const reps = Math.max(1, Math.ceil((targetMb * 1024 * 1024) / Buffer.byteLength(seed)));
const text = seed.repeat(reps);
const bytes = Buffer.byteLength(text);
const lineCount = text.split('\n').length;

function time(fn: () => number): { s: number; out: number } {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, out };
}
function best(fn: () => number, runs = 3): { s: number; out: number } {
  let b = time(fn);
  for (let i = 1; i < runs; i++) {
    const t = time(fn);
    if (t.s < b.s) b = t;
  }
  return b;
}

const splitOnly = best(() => {
  let n = 0;
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    if (nl > from) n++;
    from = nl + 1;
  }
  return n;
});
const RE = /Prompt executed in ([\d.]+) seconds|out of memory|Requested to load (\S+)/;
const regexScan = best(() => {
  let n = 0;
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    if (RE.test(text.slice(from, nl))) n++;
    from = nl + 1;
  }
  return n;
});
const parse = best(() => parseLogText(text, runtime).length);

const mb = bytes / 1024 / 1024;
const row = (name: string, r: { s: number; out: number }): string =>
  `${name.padEnd(28)} ${(mb / r.s).toFixed(1).padStart(8)} MB/s ${(lineCount / r.s / 1e6).toFixed(2).padStart(7)} M lines/s  (${r.out} out)`;
console.log(`input: ${runtime} fixtures ×${reps} = ${mb.toFixed(1)} MB, ${lineCount} lines; node ${process.version}, best of 3`);
console.log(row('baseline: split lines', splitOnly));
console.log(row('baseline: split + regex', regexScan));
console.log(row('parse (assemble + parser)', parse));
console.log(`parse / regex-scan baseline: ${(regexScan.s / parse.s).toFixed(2)}×`);
console.log(`log-parse: ${(mb / parse.s).toFixed(1)} MB/s on one core (target ≥ 50 MB/s)`);
