// The `--query-gpu` fields behind the peer readings (GpuSnapshot.peer) that the compatibility modes
// need, so nvidia-smi and its recordings fill them as NVML does (nvml-peer.ts): performance state,
// compute mode, graphics/video clocks, codec load, memory temperature, remapped rows, aggregate ECC,
// recovery action and NVLink fabric state. Enum values map to NVML's integers. The XML and `-q` text
// parsers look their own elements up under these field names (peerFromReport), so every recording
// fills the same readings; those reports also carry the minor number and PCIe replays.
import type { PeerReadings } from './sampler.js';
import { compact, parseNumber, parseText } from './smi-values.js';

/** Asked for when the driver lists them (smi-fields.ts drops unknown names). */
export const PEER_QUERY_FIELDS: readonly string[] = [
  'pstate',
  'compute_mode',
  'clocks.current.graphics',
  'clocks.max.graphics',
  'clocks.current.video',
  'utilization.encoder',
  'utilization.decoder',
  'temperature.memory',
  'remapped_rows.correctable',
  'remapped_rows.uncorrectable',
  'remapped_rows.pending',
  'remapped_rows.failure',
  'ecc.errors.corrected.aggregate.total',
  'ecc.errors.uncorrected.aggregate.total',
  'gpu_recovery_action',
  'fabric.state',
];

/** Names nvidia-smi accepts for the same field; a recording may carry either. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  'clocks.current.graphics': ['clocks.current.graphics', 'clocks.gr'],
  'clocks.max.graphics': ['clocks.max.graphics', 'clocks.max.gr'],
  'clocks.current.video': ['clocks.current.video', 'clocks.video'],
  'remapped_rows.correctable': ['remapped_rows.correctable', 'remapped_rows.sbe'],
  'remapped_rows.uncorrectable': ['remapped_rows.uncorrectable', 'remapped_rows.dbe'],
};

/** nvmlComputeMode_t by nvidia-smi's spelling. */
const COMPUTE_MODES: Readonly<Record<string, number>> = { default: 0, exclusive_thread: 1, prohibited: 2, exclusive_process: 3 };
/** nvmlGpuFabricState_t by nvidia-smi's spelling. */
const FABRIC_STATES: Readonly<Record<string, number>> = { 'not supported': 0, 'not started': 1, 'in progress': 2, completed: 3 };
/** nvmlDeviceGpuRecoveryAction_t by nvidia-smi's spelling. */
const RECOVERY_ACTIONS: Readonly<Record<string, number>> = {
  none: 0,
  reset: 1,
  'gpu reset': 1,
  reboot: 2,
  'node reboot': 2,
  'drain p2p': 3,
  'drain and reset': 4,
};

function pick(row: ReadonlyMap<string, string>, field: string): string | undefined {
  for (const name of ALIASES[field] ?? [field]) {
    const v = parseText(row.get(name));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A report's value of a `--query-gpu` field (raw text; placeholders are dropped here). */
export type ReportValue = (field: string) => string | undefined;

const lookup = (table: Readonly<Record<string, number>>, v: string | undefined): number | undefined => (v === undefined ? undefined : table[v.toLowerCase()]);

function yesNo(v: string | undefined): boolean | undefined {
  const t = v?.toLowerCase();
  return t === 'yes' ? true : t === 'no' ? false : undefined;
}

const ratio = (v: string | undefined): number | undefined => {
  const n = parseNumber(v);
  return n === undefined ? undefined : n / 100;
};

/** The peer readings of one `--query-gpu` row; undefined when the row has none of them. */
export function peerFromCsvRow(row: ReadonlyMap<string, string>): PeerReadings | undefined {
  return peerFromReport((field) => pick(row, field));
}

/**
 * The peer readings of a report whose values are looked up by `--query-gpu` name (`get`), plus what
 * only the XML and `-q` reports print: the minor number and the PCIe replay count.
 */
export function peerFromReport(get: ReportValue, extra: { minorNumber?: string; pcieReplays?: string } = {}): PeerReadings | undefined {
  const text = (field: string): string | undefined => parseText(get(field));
  const pstate = /^P(\d{1,2})$/.exec(text('pstate') ?? '')?.[1];
  const p = compact<PeerReadings>({
    pstate: pstate === undefined ? undefined : Number(pstate),
    compute_mode: lookup(COMPUTE_MODES, text('compute_mode')),
    graphics_clock_mhz: parseNumber(text('clocks.current.graphics')),
    graphics_clock_max_mhz: parseNumber(text('clocks.max.graphics')),
    video_clock_mhz: parseNumber(text('clocks.current.video')),
    encoder_utilization_ratio: ratio(text('utilization.encoder')),
    decoder_utilization_ratio: ratio(text('utilization.decoder')),
    memory_temperature_celsius: parseNumber(text('temperature.memory')),
    remapped_rows_correctable: parseNumber(text('remapped_rows.correctable')),
    remapped_rows_uncorrectable: parseNumber(text('remapped_rows.uncorrectable')),
    remapped_rows_pending: yesNo(text('remapped_rows.pending')),
    remapped_rows_failure: yesNo(text('remapped_rows.failure')),
    ecc_corrected_aggregate_total: parseNumber(text('ecc.errors.corrected.aggregate.total')),
    ecc_uncorrected_aggregate_total: parseNumber(text('ecc.errors.uncorrected.aggregate.total')),
    recovery_action: lookup(RECOVERY_ACTIONS, text('gpu_recovery_action')),
    fabric_state: lookup(FABRIC_STATES, text('fabric.state')),
    minor_number: parseNumber(extra.minorNumber),
    pcie_replays_total: parseNumber(extra.pcieReplays),
  });
  return Object.keys(p).length === 0 ? undefined : p;
}
