// Every recorded nvidia-smi output (`--query-gpu` CSV, `-q -x` XML, `-q` text) as other drivers,
// hosts and tools print it: columns in another order or missing, `nounits`, placeholders in any
// cell (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[GPU is lost]`, `ERR!`, …), more GPUs, a
// newer DTD with unknown elements, Windows CRLF, a byte order mark, truncation. The parser never
// throws, a value it cannot read is absent (never 0, never NaN), the others are those of the
// clean recording, and every value is in a sane range. Seeded PRNG: a failure names file and seed.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GpuReadingSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { prng, type Rng } from '../../test/support/log-variants.js';
import type { GpuReadingDetail } from './sampler.js';
import { parseCsvRows, readingFromCsvRow } from './smi-csv.js';
import { parseNvidiaSmiOutput } from './smi-parse.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => !f.endsWith('.md') && !f.includes('compute-apps') && !f.startsWith('help-') && !f.startsWith('error-'))
  .sort();
const read = (f: string): string => readFileSync(DIR + f, 'utf8');
const SEEDS = [1, 2, 3, 4, 5];
/** Under load (2 shared cores) the XML cases take seconds: no timed assertion, a generous limit. */
const SLOW = 60_000;
/** What nvidia-smi prints where it has no value (nvml.h return codes as nvidia-smi spells them). */
const PLACEHOLDERS = [
  '[N/A]',
  'N/A',
  '[Not Supported]',
  '[Unknown Error]',
  '[GPU is lost]',
  'ERR!',
  '[Insufficient Permissions]',
  '[Requested functionality has been deprecated]',
  '',
];
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

function gpus(text: string): GpuReadingDetail[] {
  const r = parseNvidiaSmiOutput(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.gpus;
}

/** Ranges a GPU can report. */
const MAX: Partial<Record<keyof GpuReadingDetail, number>> = {
  utilization_gpu_ratio: 1,
  utilization_memory_ratio: 1,
  temperature_celsius: 150,
  power_draw_watts: 2000,
  power_limit_watts: 2000,
  sm_clock_mhz: 5000,
  memory_clock_mhz: 20000,
};

/**
 * Numbers finite and not negative, values within MAX, used ≤ total, the contract schema holds. The
 * problems are collected and asserted once (an expect per value made the suite slow).
 */
function expectSane(g: GpuReadingDetail, where: string): void {
  const problems: string[] = [];
  const walk = (o: unknown, path: string): void => {
    if (typeof o === 'number') {
      if (!(Number.isFinite(o) && o >= 0)) problems.push(`${path} = ${o}`);
    } else if (o !== null && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  walk(g, 'gpu');
  for (const [k, max] of Object.entries(MAX)) {
    const v = g[k as keyof GpuReadingDetail];
    if (typeof v === 'number' && max !== undefined && v > max) problems.push(`${k} = ${v} > ${max}`);
  }
  if (g.memory_used_bytes !== undefined && g.memory_total_bytes !== undefined && g.memory_used_bytes > g.memory_total_bytes) problems.push('used > total');
  if (!GpuReadingSchema.safeParse(g).success) problems.push('schema');
  expect(problems, where).toEqual([]);
}

/** Reading keys that another element or column can fill when one is unreadable (the same quantity). */
const POWER_ALTERNATIVES =
  /^(?:(?:average_|instant_)?power_draw|enforced_power_limit|current_power_limit|power_limit|power\.draw(?:\.average|\.instant)?|enforced\.power\.limit|power\.limit)$/;
const POWER_KEYS = ['power_draw_watts', 'power_limit_watts'];

/**
 * Each value of `got` equals the clean reading's (a value may be absent, never different), but for
 * `except` (keys an alternative source fills when the changed one is unreadable).
 */
function expectSubset(got: GpuReadingDetail, want: GpuReadingDetail, where: string, except: readonly string[] = []): void {
  const differ: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(got)) {
    if (k === 'peer' || k === 'clock_event_reason_counters_us' || k === 'processes' || k === 'mig_devices' || except.includes(k)) continue;
    const w = want[k as keyof GpuReadingDetail];
    if (JSON.stringify(v) !== JSON.stringify(w)) differ[k] = [v, w];
  }
  expect(differ, where).toEqual({});
}

// ---- CSV ----------------------------------------------------------------------------------
const csvFiles = FILES.filter((f) => f.endsWith('.csv'));
type Table = { header: string[]; rows: string[][] };
const split = (l: string): string[] => l.split(', ');
function table(text: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return { header: split(lines[0] ?? ''), rows: lines.slice(1).map(split) };
}
const csv = (t: Table, eol = '\n'): string => [t.header, ...t.rows].map((r) => r.join(', ')).join(eol) + eol;
/** Reading keys per `--query-gpu` field, for the fields whose placeholder must leave the key absent. */
const CSV_KEYS: Readonly<Record<string, keyof GpuReadingDetail>> = {
  'utilization.gpu': 'utilization_gpu_ratio',
  'memory.used': 'memory_used_bytes',
  'memory.total': 'memory_total_bytes',
  'temperature.gpu': 'temperature_celsius',
  'fan.speed': 'fan_ratio',
  uuid: 'uuid',
  name: 'name',
  driver_version: 'driver_version',
  'clocks.max.sm': 'sm_clock_max_mhz',
  'ecc.errors.corrected.volatile.total': 'ecc_corrected_total',
};
const field = (cell: string): string => cell.replace(/\s*\[.*\]$/, '');

describe('nvidia-smi --query-gpu CSV variants', () => {
  it.each(csvFiles)(
    '%s: columns shuffled or dropped, nounits, CRLF and BOM read the same values',
    (file) => {
      const clean = gpus(read(file));
      const t = table(read(file));
      for (const seed of SEEDS) {
        const rng = prng(seed);
        // another order
        const order = t.header.map((_, i) => i).sort(() => rng() - 0.5);
        const shuffled = { header: order.map((i) => t.header[i] ?? ''), rows: t.rows.map((r) => order.map((i) => r[i] ?? '')) };
        expect(gpus(csv(shuffled)), `${file} seed ${seed} shuffled`).toEqual(clean);
        // CRLF and a byte order mark (PowerShell's `> file`)
        expect(gpus(`\uFEFF${csv(shuffled, '\r\n')}`), `${file} seed ${seed} bom crlf`).toEqual(clean);
        // columns missing (an older driver does not know them): the rest unchanged
        const keep = t.header.map((_, i) => i).filter(() => rng() > 0.3);
        const fewer = gpus(csv({ header: keep.map((i) => t.header[i] ?? ''), rows: t.rows.map((r) => keep.map((i) => r[i] ?? '')) }));
        // a driver without a reason's column cannot report it: the mask of the other reasons stands
        fewer.forEach((g, i) => {
          expectSubset(g, clean[i] as GpuReadingDetail, `${file} seed ${seed} fewer`, ['clock_event_reasons_mask', 'clock_event_reasons', ...POWER_KEYS]);
          expectSane(g, `${file} seed ${seed} fewer`);
        });
      }
      // nounits: no `[unit]` in the header, bare numbers in the cells
      const bare = { header: t.header.map(field), rows: t.rows.map((r) => r.map((c) => c.replace(/ (MiB|W|%|MHz|C|KB\/s|us)$/, ''))) };
      expect(gpus(csv(bare)), `${file} nounits`).toEqual(clean);
    },
    SLOW,
  );

  it.each(csvFiles)(
    '%s: a placeholder in any cell leaves that value absent, the others unchanged',
    (file) => {
      const clean = gpus(read(file));
      const t = table(read(file));
      for (const seed of SEEDS) {
        const rng = prng(seed);
        for (let col = 0; col < t.header.length; col++) {
          const marker = pick(rng, PLACEHOLDERS);
          const got = gpus(csv({ header: t.header, rows: t.rows.map((r) => r.map((c, i) => (i === col ? marker : c))) }));
          const where = `${file} column ${t.header[col]} = ${JSON.stringify(marker)}`;
          expect(got).toHaveLength(clean.length);
          got.forEach((g, i) => {
            expectSubset(g, clean[i] as GpuReadingDetail, where, POWER_ALTERNATIVES.test(field(t.header[col] ?? '')) ? POWER_KEYS : []);
            expectSane(g, where);
            const key = CSV_KEYS[field(t.header[col] ?? '')];
            if (key !== undefined) expect(g, where).not.toHaveProperty(key);
          });
        }
      }
    },
    SLOW,
  );

  it(
    'the live form (noheader, nounits, the field list) with eight GPUs, one of them lost',
    () => {
      const t = table(read('h100-80gb-hbm3-driver590-query-gpu-load.csv'));
      const fields = t.header.map(field);
      const row = t.rows[0] ?? [];
      const lines = Array.from({ length: 8 }, (_, i) =>
        (i === 5
          ? row.map((c, j) => (fields[j] === 'index' ? '5' : '[GPU is lost]'))
          : row.map((c, j) => (fields[j] === 'index' ? String(i) : c.replace(/ (MiB|W|%|MHz|C)$/, '')))
        ).join(', '),
      );
      const got = parseCsvRows(`${lines.join('\r\n')}\r\n`, fields).map((r, i) => readingFromCsvRow(r, i));
      expect(got.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(got[5]).toEqual({ index: 5 });
      expect(got[7]?.memory_total_bytes).toBe(gpus(read('h100-80gb-hbm3-driver590-query-gpu-load.csv'))[0]?.memory_total_bytes);
    },
    SLOW,
  );
});

// ---- XML ----------------------------------------------------------------------------------
const xmlFiles = FILES.filter((f) => f.endsWith('.xml'));
/** Leaf elements with a value: `<tag>value</tag>` on one line. */
const LEAF = /<([a-z_0-9]+)>([^<]+)<\/\1>/g;

describe('nvidia-smi -q -x XML variants', () => {
  it.each(xmlFiles)(
    '%s: a newer DTD with unknown elements, CRLF, BOM and extra GPUs read the same values',
    (file) => {
      const text = read(file);
      const clean = gpus(text);
      const newer = text
        .replace(/nvsmi_device_v\d+\.dtd/, 'nvsmi_device_v99.dtd')
        .replace(/<gpu id="([^"]*)">/g, '<gpu id="$1" arch="future">\n\t\t<future_block>\n\t\t\t<future_value>12 units</future_value>\n\t\t</future_block>')
        .replace('</driver_version>', '</driver_version>\n\t<future_top>x</future_top>');
      expect(gpus(newer), file).toEqual(clean);
      expect(gpus(`\uFEFF${newer.replace(/\n/g, '\r\n')}`), `${file} bom crlf`).toEqual(clean);
      const gpuBlock = /<gpu id=[\s\S]*<\/gpu>/.exec(text)?.[0] ?? '';
      const doubled = gpus(text.replace(gpuBlock, `${gpuBlock}\n${gpuBlock.replace(/<gpu id="[^"]*"/, '<gpu id="00000000:C1:00.0"')}`));
      expect(doubled).toHaveLength(clean.length * 2);
      expect(doubled.at(-1)).toEqual({ ...clean.at(-1), index: doubled.length - 1, pci_bus_id: '00000000:C1:00.0' });
    },
    SLOW,
  );

  it.each(xmlFiles)(
    '%s: a placeholder in any element, or the element missing, leaves values absent, the others unchanged',
    (file) => {
      const text = read(file);
      const clean = gpus(text);
      const leaves = [...text.matchAll(LEAF)];
      for (const seed of SEEDS) {
        const rng = prng(seed);
        for (let k = 0; k < 12; k++) {
          const m = pick(rng, leaves);
          const marker = pick(rng, PLACEHOLDERS);
          const at = m.index ?? 0;
          for (const [how, variant] of [
            ['placeholder', `${text.slice(0, at)}<${m[1]}>${marker}</${m[1]}>${text.slice(at + m[0].length)}`],
            ['missing', text.slice(0, at) + text.slice(at + m[0].length)],
          ] as const) {
            const got = gpus(variant);
            const where = `${file} seed ${seed} <${m[1]}>${m[2]} ${how} ${JSON.stringify(marker)}`;
            expect(got, where).toHaveLength(clean.length);
            got.forEach((g, i) => {
              // an element a driver does not print is a reason it cannot report: the mask of the others stands
              const mask = how === 'missing' && /reason/.test(m[1] ?? '') ? ['clock_event_reasons_mask', 'clock_event_reasons'] : [];
              expectSubset(g, clean[i] as GpuReadingDetail, where, [...mask, ...(POWER_ALTERNATIVES.test(m[1] ?? '') ? POWER_KEYS : [])]);
              expectSane(g, where);
            });
          }
        }
      }
    },
    SLOW,
  );
});

// ---- -q text ------------------------------------------------------------------------------
const textFiles = FILES.filter((f) => f.endsWith('.txt') && !f.includes('-table'));

describe('nvidia-smi -q text variants', () => {
  it.each(textFiles)(
    '%s: CRLF, BOM, unknown keys; a placeholder in any value leaves it absent',
    (file) => {
      const text = read(file);
      const clean = gpus(text);
      const unknown = text.replace(
        /(\n    Product Name[^\n]*)/,
        '$1\n    Future Field                                       : 12 units\n    Future Section\n        Inner                                          : 3',
      );
      expect(gpus(`\uFEFF${unknown.replace(/\n/g, '\r\n')}`), file).toEqual(clean);
      const lines = text.split('\n');
      const valued = lines.map((l, i) => [l, i] as const).filter(([l]) => / : \S/.test(l));
      for (const seed of SEEDS) {
        const rng = prng(seed);
        for (let k = 0; k < 25; k++) {
          const [l, i] = pick(rng, valued);
          const marker = pick(rng, PLACEHOLDERS);
          const variant = [...lines];
          variant[i] = l.replace(/ : .*$/, ` : ${marker}`);
          const got = gpus(variant.join('\n'));
          const where = `${file} line ${i} ${JSON.stringify(l.trim())} → ${JSON.stringify(marker)}`;
          expect(got, where).toHaveLength(clean.length);
          got.forEach((g, n) => {
            expectSubset(g, clean[n] as GpuReadingDetail, where);
            expectSane(g, where);
          });
        }
      }
    },
    SLOW,
  );
});

describe('any nvidia-smi output cut anywhere or mangled', () => {
  it(
    'never throws; what it reads is sane',
    () => {
      for (const file of FILES) {
        const text = read(file);
        const rng = prng(text.length);
        for (let k = 0; k < 30; k++) {
          const cut = text.slice(0, Math.floor(rng() * text.length));
          const r = parseNvidiaSmiOutput(cut);
          if (r.ok) for (const g of r.gpus) expectSane(g, `${file} cut at ${cut.length}`);
        }
      }
    },
    SLOW,
  );
});
