// Parser for `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]` and
// `--query-compute-apps=... --format=csv`. Columns are keyed by field name (never by position):
// the header gives the names (units in brackets are stripped), or the caller passes the field list.
import { decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpuReadingDetail } from './sampler.js';
import { PEER_QUERY_FIELDS, peerFromCsvRow } from './smi-peer.js';
import {
  SMI_REASON_NAMES,
  compact,
  maskFromFlags,
  parseActive,
  parseEnabled,
  parseHexMask,
  parseMibBytes,
  parseNumber,
  parsePercentRatio,
  parseText,
  sumAll,
} from './smi-values.js';

/** The `--query-gpu` fields the agent asks for (old throttle names are swapped in by discovery). */
export const QUERY_GPU_FIELDS: readonly string[] = [
  'index',
  'uuid',
  'name',
  'driver_version',
  'pci.bus_id',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'memory.reserved',
  'temperature.gpu',
  'power.draw',
  'enforced.power.limit',
  'clocks.sm',
  'clocks.max.sm',
  'clocks.mem',
  'clocks.max.mem',
  'fan.speed',
  'clocks_event_reasons.active',
  'mig.mode.current',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'clocks_event_reasons_counters.sw_power_cap',
  'clocks_event_reasons_counters.sync_boost',
  'clocks_event_reasons_counters.sw_thermal_slowdown',
  'clocks_event_reasons_counters.hw_thermal_slowdown',
  'clocks_event_reasons_counters.hw_power_brake_slowdown',
  // What the peer compatibility modes read (smi-peer.ts).
  ...PEER_QUERY_FIELDS,
];

/** Aliases nvidia-smi accepts for the same value (`--help-query-gpu`); first present wins. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  'clocks.sm': ['clocks.sm', 'clocks.current.sm'],
  'clocks.mem': ['clocks.mem', 'clocks.current.memory'],
  'clocks.max.sm': ['clocks.max.sm', 'clocks.max.sm_clock'],
  'clocks.max.mem': ['clocks.max.mem', 'clocks.max.memory', 'clocks.max.memory_clock'],
  'enforced.power.limit': ['enforced.power.limit', 'power.limit'],
  'power.draw': ['power.draw', 'power.draw.average', 'power.draw.instant'],
  'clocks_event_reasons.active': ['clocks_event_reasons.active', 'clocks_throttle_reasons.active'],
  'mig.mode.current': ['mig.mode.current'],
  'temperature.gpu': ['temperature.gpu'],
};

/** Header cell → field name: `memory.used [MiB]` → `memory.used`. */
export function fieldName(headerCell: string): string {
  return headerCell.replace(/\[[^\]]*\]/g, '').trim();
}

/** Splits one CSV line. nvidia-smi never quotes; values are separated by `, `. */
function splitLine(line: string): string[] {
  return line.split(',').map((c) => c.trim());
}

function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

/** True when the first line looks like a `--query-*` header (field names, not values). */
export function looksLikeCsvHeader(line: string): boolean {
  const cells = splitLine(line);
  return cells.length > 0 && cells.every((c) => /^[a-z_][a-zA-Z0-9_.]*(\s*\[[^\]]*\])?$/.test(c)) && cells.some((c) => c.includes('.') || c.includes('_'));
}

/** Rows as field-name → raw value maps. `fields` is used when the text has no header line. */
export function parseCsvRows(text: string, fields?: readonly string[]): Map<string, string>[] {
  const all = lines(text);
  let names: string[];
  let body: string[];
  const first = all[0];
  if (first !== undefined && looksLikeCsvHeader(first)) {
    names = splitLine(first).map(fieldName);
    body = all.slice(1);
  } else {
    if (fields === undefined) return [];
    names = fields.map(fieldName);
    body = all;
  }
  return body.map((line) => {
    const cells = splitLine(line);
    // A value with a comma (a Windows process path) makes too many cells: join the extras
    // into the widest text column we know, the process name, or else the last column.
    if (cells.length > names.length) {
      const at = Math.max(names.indexOf('process_name'), names.indexOf('name'), 0);
      const extra = cells.length - names.length;
      cells.splice(at, extra + 1, cells.slice(at, at + extra + 1).join(','));
    }
    const row = new Map<string, string>();
    names.forEach((n, i) => row.set(n, cells[i] ?? ''));
    return row;
  });
}

function pick(row: ReadonlyMap<string, string>, field: string): string | undefined {
  for (const name of ALIASES[field] ?? [field]) {
    const v = row.get(name);
    if (v !== undefined && parseText(v) !== undefined) return v;
  }
  return undefined;
}

function reasonsFromRow(row: ReadonlyMap<string, string>): number | undefined {
  const mask = parseHexMask(pick(row, 'clocks_event_reasons.active'));
  if (mask !== undefined) return mask;
  const flags = new Map<ClockEventReason, boolean | undefined>();
  for (const [key, value] of row) {
    const m = /^clocks_(?:event|throttle)_reasons\.(\w+)$/.exec(key);
    const reason = m?.[1] === undefined ? undefined : SMI_REASON_NAMES[m[1]];
    // the new and the old name of one reason: a readable one wins
    if (reason !== undefined && flags.get(reason) === undefined) flags.set(reason, parseActive(value));
  }
  return maskFromFlags(flags);
}

function countersFromRow(row: ReadonlyMap<string, string>): Partial<Record<ClockEventReason, number>> | undefined {
  const out: Partial<Record<ClockEventReason, number>> = {};
  let any = false;
  for (const [key, value] of row) {
    const m = /^clocks_(?:event|throttle)_reasons_counters\.(\w+)$/.exec(key);
    const reason = m?.[1] === undefined ? undefined : SMI_REASON_NAMES[m[1]];
    const us = parseNumber(value);
    if (reason !== undefined && us !== undefined) {
      out[reason] = us;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** One `--query-gpu` row → a GPU reading. `ordinal` is the index when the row has none. */
export function readingFromCsvRow(row: ReadonlyMap<string, string>, ordinal: number): GpuReadingDetail {
  const mask = reasonsFromRow(row);
  const counters = countersFromRow(row);
  return compact<GpuReadingDetail>({
    index: parseNumber(pick(row, 'index')) ?? ordinal,
    uuid: parseText(pick(row, 'uuid')),
    name: parseText(pick(row, 'name')),
    driver_version: parseText(pick(row, 'driver_version')),
    pci_bus_id: parseText(pick(row, 'pci.bus_id')),
    utilization_gpu_ratio: parsePercentRatio(pick(row, 'utilization.gpu')),
    utilization_memory_ratio: parsePercentRatio(pick(row, 'utilization.memory')),
    memory_used_bytes: parseMibBytes(pick(row, 'memory.used')),
    memory_total_bytes: parseMibBytes(pick(row, 'memory.total')),
    memory_reserved_bytes: parseMibBytes(pick(row, 'memory.reserved')),
    temperature_celsius: parseNumber(pick(row, 'temperature.gpu')),
    power_draw_watts: parseNumber(pick(row, 'power.draw')),
    power_limit_watts: parseNumber(pick(row, 'enforced.power.limit')),
    sm_clock_mhz: parseNumber(pick(row, 'clocks.sm')),
    sm_clock_max_mhz: parseNumber(pick(row, 'clocks.max.sm')),
    memory_clock_mhz: parseNumber(pick(row, 'clocks.mem')),
    memory_clock_max_mhz: parseNumber(pick(row, 'clocks.max.mem')),
    fan_ratio: parsePercentRatio(pick(row, 'fan.speed')),
    clock_event_reasons_mask: mask,
    clock_event_reasons: mask === undefined ? undefined : decodeClockEventReasons(mask),
    mig_enabled: parseEnabled(pick(row, 'mig.mode.current')),
    ecc_corrected_total: parseNumber(pick(row, 'ecc.errors.corrected.volatile.total')),
    ecc_uncorrected_total: parseNumber(pick(row, 'ecc.errors.uncorrected.volatile.total')),
    clock_event_reason_counters_us: counters,
    throttle_thermal_us: counters && sumAll(counters.sw_thermal_slowdown, counters.hw_thermal_slowdown),
    throttle_power_us: counters && sumAll(counters.sw_power_cap, counters.hw_power_brake_slowdown),
    peer: peerFromCsvRow(row),
  });
}

/** `--query-gpu` CSV text → readings, one per row. */
export function parseQueryGpuCsv(text: string, fields?: readonly string[]): GpuReadingDetail[] {
  return parseCsvRows(text, fields).map((row, i) => readingFromCsvRow(row, i));
}

/** One process from `--query-compute-apps`. */
export interface ComputeApp {
  gpu_uuid?: string;
  gpu_bus_id?: string;
  pid: number;
  name?: string;
  used_memory_bytes?: number;
}

/** `--query-compute-apps` CSV text → processes (rows without a pid are skipped). */
export function parseComputeAppsCsv(text: string, fields?: readonly string[]): ComputeApp[] {
  const out: ComputeApp[] = [];
  for (const row of parseCsvRows(text, fields)) {
    const pid = parseNumber(row.get('pid'));
    if (pid === undefined) continue;
    out.push(
      compact<ComputeApp>({
        gpu_uuid: parseText(row.get('gpu_uuid')),
        gpu_bus_id: parseText(row.get('gpu_bus_id')),
        pid,
        name: parseText(row.get('process_name')),
        used_memory_bytes: parseMibBytes(row.get('used_gpu_memory') ?? row.get('used_memory')),
      }),
    );
  }
  return out;
}

/** True for `--query-compute-apps` output (it has a pid column). */
export function isComputeAppsCsv(text: string): boolean {
  const first = lines(text)[0];
  return first !== undefined && looksLikeCsvHeader(first) && splitLine(first).map(fieldName).includes('pid');
}

/**
 * Attaches processes to GPUs by UUID, or by PCI bus id when UUIDs are masked or absent.
 * GPUs with no matching process get `processes: []` (known empty), others keep what they had.
 */
export function attachComputeApps(gpus: GpuReadingDetail[], apps: readonly ComputeApp[]): void {
  for (const g of gpus) {
    const mine = apps.filter((a) => (a.gpu_bus_id !== undefined && g.pci_bus_id !== undefined ? a.gpu_bus_id === g.pci_bus_id : a.gpu_uuid === g.uuid));
    g.processes = mine.map((a) => compact({ pid: a.pid, name: a.name, used_memory_bytes: a.used_memory_bytes }));
  }
}
