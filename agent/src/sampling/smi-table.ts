// Parser for nvidia-smi's default table (`nvidia-smi` with no options), the output users paste most:
//
//   | NVIDIA-SMI 535.129.03             Driver Version: 535.129.03   CUDA Version: 12.2     |
//   |   0  Quadro RTX 4000                Off | 00000000:06:00.0 Off |                  N/A |
//   | 30%   25C    P8              10W / 125W |      1MiB /  8192MiB |      0%      Default |
//   |                                         |                      |                  N/A |
//
// Rows are read by cell (between `|`), never by column position: the widths changed with drivers
// (390, 535, 580+), Windows prints `TCC/WDDM` where Linux prints `Persistence-M`, and pastes come
// tab-indented or cut. The third row (MIG mode) exists from driver 450. A name cut to the column
// (`Tesla V100-SXM2...`) is not the name: absent. Placeholders (`N/A`, `ERR!`) are absent.
import type { GpuReadingDetail } from './sampler.js';
import { peerFromReport } from './smi-peer.js';
import { compact, parseEnabled, parseMibBytes, parseNumber, parsePercentRatio, parseText } from './smi-values.js';

/** Driver 610 renamed `Driver Version` to `KMD Version` and `CUDA Version` to `CUDA UMD Version` (rtx5090-x2-driver610-kmd-version-table-cut.txt). */
const HEADER = /NVIDIA-SMI \S+\s+(?:Driver|KMD) Version:\s*(\S+)(?:\s+CUDA (?:UMD )?Version:\s*(\S+))?/;
const ROW1_GPU = /^(\d+)\s+(.*?)\s+(On|Off|WDDM|TCC|N\/A)$/;
const ROW1_BUS = /^([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f])\s+\S+$/;
const ROW2_FAN = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*\/\s*(\S+)$/;
const PAIR = /^(\S+)\s*\/\s*(\S+)$/;
const UTIL = /^(\S+)\s+(.+)$/;
/** `0   N/A  N/A   2095   G   /usr/lib/xorg/Xorg   4MiB` (GI/CI from driver 450) or `0   1234   C   python   1000MiB`. */
const PROCESS = /^(\d+)\s+(?:\S+\s+\S+\s+)?(\d+)\s+(?:[CGM](?:\+[CGM])?)\s+(.+?)\s+(\S+)$/;
/** The table's compute-mode spellings → `--query-gpu` compute_mode values. */
const COMPUTE: Readonly<Record<string, string>> = {
  Default: 'default',
  'E. Process': 'exclusive_process',
  'E. Thread': 'exclusive_thread',
  Prohibited: 'prohibited',
};

export function isNvidiaSmiTable(text: string): boolean {
  return HEADER.test(text.slice(0, 4096));
}

interface TableGpu {
  index: number;
  name: string;
  busId: string;
  ecc: string;
  fan?: string;
  temp?: string;
  perf?: string;
  power?: string;
  cap?: string;
  used?: string;
  total?: string;
  util?: string;
  compute?: string;
  mig?: string;
}

/** `| a | b | c |` → [a, b, c] trimmed; undefined for lines that are not table rows. */
function cells(line: string): string[] | undefined {
  if (!line.startsWith('|')) return undefined;
  const inner = line.endsWith('|') && line.length > 1 ? line.slice(1, -1) : line.slice(1);
  return inner.split('|').map((c) => c.trim());
}

/** `nvidia-smi` table text → readings, one per GPU row (the last table when several were pasted). */
export function parseNvidiaSmiTable(text: string): GpuReadingDetail[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let start = 0;
  let header: RegExpExecArray | null = null;
  lines.forEach((l, i) => {
    const m = HEADER.exec(l);
    if (m !== null) {
      start = i;
      header = m;
    }
  });
  const gpus: TableGpu[] = [];
  const procs = new Map<number, NonNullable<GpuReadingDetail['processes']>>();
  let inProcesses = false;
  let last: TableGpu | undefined;
  let row = 0; // row of the current GPU block: 1 after its first line
  for (let i = start + 1; i < lines.length; i++) {
    const c = cells((lines[i] ?? '').trim());
    if (c === undefined) {
      row = 0;
      continue;
    }
    if (c[0]?.startsWith('Processes:') === true) {
      inProcesses = true;
      continue;
    }
    if (inProcesses) {
      const p = c.length === 1 ? PROCESS.exec(c[0] ?? '') : null;
      if (p !== null) {
        const list = procs.get(Number(p[1])) ?? [];
        list.push(compact({ pid: Number(p[2]), name: parseText(p[3]), used_memory_bytes: parseMibBytes(p[4]) }));
        procs.set(Number(p[1]), list);
      }
      continue;
    }
    if (c.length < 3) continue;
    const g1 = ROW1_GPU.exec(c[0] ?? '');
    const bus = ROW1_BUS.exec(c[1] ?? '');
    if (g1 !== null && bus !== null) {
      last = { index: Number(g1[1]), name: g1[2] ?? '', busId: bus[1] ?? '', ecc: c[2] ?? '' };
      gpus.push(last);
      row = 1;
      continue;
    }
    if (last === undefined) continue;
    if (row === 1) {
      const f = ROW2_FAN.exec(c[0] ?? '');
      const mem = PAIR.exec(c[1] ?? '');
      const util = UTIL.exec(c[2] ?? '');
      if (f !== null) Object.assign(last, { fan: f[1], temp: f[2], perf: f[3], power: f[4], cap: f[5] });
      if (mem !== null) Object.assign(last, { used: mem[1], total: mem[2] });
      if (util !== null) Object.assign(last, { util: util[1], compute: util[2] });
      row = 2;
    } else if (row === 2 && c[0] === '' && c[1] === '') {
      last.mig = c[2];
      row = 3;
    }
  }
  const processesKnown = inProcesses;
  const h = header as RegExpExecArray | null;
  return gpus.map((g) => {
    const compute = g.compute === undefined ? undefined : COMPUTE[g.compute];
    return compact<GpuReadingDetail>({
      index: g.index,
      name: g.name.endsWith('...') ? undefined : parseText(g.name),
      driver_version: parseText(h?.[1]),
      cuda_version: parseText(h?.[2]),
      pci_bus_id: g.busId,
      utilization_gpu_ratio: parsePercentRatio(g.util),
      memory_used_bytes: parseMibBytes(g.used),
      memory_total_bytes: parseMibBytes(g.total),
      temperature_celsius: parseNumber(g.temp),
      power_draw_watts: parseNumber(g.power),
      power_limit_watts: parseNumber(g.cap),
      fan_ratio: parsePercentRatio(g.fan),
      ecc_uncorrected_total: parseNumber(g.ecc),
      mig_enabled: parseEnabled(g.mig),
      processes: processesKnown ? (procs.get(g.index) ?? []) : undefined,
      peer: peerFromReport((field) => (field === 'pstate' ? g.perf : field === 'compute_mode' ? compute : undefined)),
    });
  });
}
