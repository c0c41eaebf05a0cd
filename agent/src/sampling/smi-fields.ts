// Which `--query-gpu` fields to ask for, from the names this driver lists in `--help-query-gpu`.
// Older drivers know only `clocks_throttle_reasons.*` and lack the µs counters; asking for an
// unknown field makes nvidia-smi fail the whole query, so every field is checked first.
import { QUERY_GPU_FIELDS } from './smi-csv.js';

/** Field names (and aliases) listed by `nvidia-smi --help-query-gpu`. */
export function parseHelpQueryGpu(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('"')) continue;
    for (const m of line.matchAll(/"([a-zA-Z0-9_.]+)"/g)) if (m[1] !== undefined) names.add(m[1]);
  }
  return names;
}

/** Old names tried when the driver does not know the current one. */
const FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  'clocks_event_reasons.active': ['clocks_throttle_reasons.active'],
  'clocks.sm': ['clocks.current.sm'],
  'clocks.mem': ['clocks.current.memory'],
  'clocks.max.mem': ['clocks.max.memory'],
  'enforced.power.limit': ['power.limit'],
};

/** Fields every driver since the 2010s answers: used when `--help-query-gpu` gave nothing. */
const SAFE_FIELDS = [
  'index',
  'uuid',
  'name',
  'driver_version',
  'pci.bus_id',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'clocks.sm',
  'clocks.max.sm',
  'clocks.mem',
  'clocks.max.mem',
  'fan.speed',
  'clocks_throttle_reasons.active',
];

/** The query list for this driver: wanted fields it knows, old names where only those exist. */
export function selectQueryFields(known: ReadonlySet<string>): string[] {
  if (known.size === 0) return [...SAFE_FIELDS];
  const out: string[] = [];
  for (const f of QUERY_GPU_FIELDS) {
    const pick = [f, ...(FALLBACKS[f] ?? [])].find((n) => known.has(n));
    if (pick !== undefined) out.push(pick);
  }
  return out;
}
