// log-parse: parse throughput of the runtime-log pipeline (record assembly + ComfyUI parser) over a
// ~100 MB ComfyUI log built by repeating the real fixtures, against baselines measured in the same
// run: splitting lines only, and splitting + one regex test per line. Also prints the CPU time of
// the parse (steadier than wall time on a shared machine), the load average, and a digest of the
// events (counts per kind + hash) so runs before and after a change can be compared.
// Run: node --import tsx bench/src/log-parse.ts [--mb 100] [--runtime comfyui]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import type { RuntimeName } from '@renderwatch/schema';
import { parseLogText } from '@renderwatch/agent/harness';

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

interface Timed {
  /** Wall-clock seconds. */
  s: number;
  /** CPU seconds of the process (user + system) over the same span. */
  cpu: number;
  out: number;
}
function time(fn: () => number): Timed {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { s, cpu: (c.user + c.system) / 1e6, out };
}
function best(fn: () => number, runs = 3): Timed {
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
const load0 = loadavg()[0] ?? 0;
const parse = best(() => parseLogText(text, runtime).length);
const load1 = loadavg()[0] ?? 0;

// What the pipeline produced over the seed (one repetition): counts per kind and a hash of the
// exact events, to compare with another run or build.
const seedEvents = parseLogText(seed, runtime);
const kinds: Record<string, number> = {};
for (const e of seedEvents) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
const digest = createHash('sha256').update(JSON.stringify(seedEvents)).digest('hex').slice(0, 16);

const mb = bytes / 1024 / 1024;
const row = (name: string, r: Timed): string =>
  `${name.padEnd(28)} ${(mb / r.s).toFixed(1).padStart(8)} MB/s ${(lineCount / r.s / 1e6).toFixed(2).padStart(7)} M lines/s  (${r.out} out)`;
console.log(`input: ${runtime} fixtures ×${reps} = ${mb.toFixed(1)} MB, ${lineCount} lines; node ${process.version}, best of 3`);
console.log(row('baseline: split lines', splitOnly));
console.log(row('baseline: split + regex', regexScan));
console.log(row('parse (assemble + parser)', parse));
console.log(
  `parse, CPU time: ${(mb / parse.cpu).toFixed(1)} MB/s (${parse.cpu.toFixed(2)} s CPU for ${parse.s.toFixed(2)} s wall); load average ${load0.toFixed(2)} → ${load1.toFixed(2)} on ${availableParallelism()} cores`,
);
console.log(
  `events per seed: ${Object.entries(kinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}; sha256 ${digest}`,
);
console.log(`parse / regex-scan baseline: ${(regexScan.s / parse.s).toFixed(2)}×`);
console.log(`log-parse: ${(mb / parse.s).toFixed(1)} MB/s on one core (target ≥ 50 MB/s)`);
