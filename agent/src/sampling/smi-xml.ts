// Parser for `nvidia-smi -q -x` XML, DTD v10 to v13 and files without a DOCTYPE. Element names
// changed across drivers (clocks_throttle_reasons → clocks_event_reasons, power_readings →
// gpu_power_readings, power_draw → average/instant_power_draw), so each value is looked up under
// every name it has had, and the DTD version is never trusted on its own.
import { XMLParser } from 'fast-xml-parser';
import { decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpuReadingDetail, MigDeviceSnapshot, PeerReadings } from './sampler.js';
import { peerFromReport } from './smi-peer.js';
import {
  SMI_REASON_NAMES,
  compact,
  maskFromFlags,
  parseActive,
  parseEnabled,
  parseKbPerSecond,
  parseMibBytes,
  parseNumber,
  parsePercentRatio,
  parseText,
  sumAll,
  sumDefined,
} from './smi-values.js';

type XmlNode = { [key: string]: XmlValue };
type XmlValue = string | number | boolean | XmlNode | XmlValue[] | undefined;

const ARRAY_TAGS = new Set(['gpu', 'process_info', 'mig_device']);

function createParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (name) => ARRAY_TAGS.has(name),
  });
}

function isNode(v: XmlValue): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(node: XmlValue, ...path: string[]): XmlValue {
  let cur: XmlValue = node;
  for (const p of path) {
    if (!isNode(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Text of an element (`<x>59 C</x>`); undefined for missing or structured elements. */
function text(node: XmlValue, ...path: string[]): string | undefined {
  const v = child(node, ...path);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

/** First readable value among alternative paths. */
function first(node: XmlValue, paths: readonly (readonly string[])[]): string | undefined {
  for (const p of paths) {
    const t = text(node, ...p);
    if (parseText(t) !== undefined) return t;
  }
  return undefined;
}

function list(v: XmlValue): XmlValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function reasonFlags(gpu: XmlValue): Map<ClockEventReason, boolean | undefined> {
  const flags = new Map<ClockEventReason, boolean | undefined>();
  for (const blockName of ['clocks_event_reasons', 'clocks_throttle_reasons']) {
    const block = child(gpu, blockName);
    if (!isNode(block)) continue;
    for (const [tag, value] of Object.entries(block)) {
      const m = /^clocks_(?:event|throttle)_reason_(\w+)$/.exec(tag);
      const reason = m?.[1] === undefined ? undefined : SMI_REASON_NAMES[m[1]];
      const active = typeof value === 'string' ? parseActive(value) : undefined;
      // both blocks (old and new names) may hold a reason: a readable flag wins
      if (reason !== undefined && flags.get(reason) === undefined) flags.set(reason, active);
    }
  }
  return flags;
}

function reasonCounters(gpu: XmlValue): Partial<Record<ClockEventReason, number>> | undefined {
  const block = child(gpu, 'clocks_event_reasons_counters');
  if (!isNode(block)) return undefined;
  const out: Partial<Record<ClockEventReason, number>> = {};
  let any = false;
  for (const [tag, value] of Object.entries(block)) {
    const m = /^clocks_event_reasons_counters_(\w+)$/.exec(tag);
    const reason = m?.[1] === undefined ? undefined : SMI_REASON_NAMES[m[1]];
    const us = typeof value === 'string' ? parseNumber(value) : undefined;
    if (reason !== undefined && us !== undefined) {
      out[reason] = us;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Sum of volatile ECC counts over whatever layout the architecture uses. */
function eccTotal(gpu: XmlValue, kind: 'correctable' | 'uncorrectable'): number | undefined {
  const vol = child(gpu, 'ecc_errors', 'volatile');
  if (!isNode(vol)) return undefined;
  const bit = kind === 'correctable' ? 'single_bit' : 'double_bit';
  const pascal = parseNumber(text(vol, bit, 'total'));
  if (pascal !== undefined) return pascal;
  return sumDefined(
    ...Object.entries(vol)
      .filter(([tag]) => tag.endsWith(`_${kind}`) && !tag.includes('parity') && !tag.includes('threshold'))
      .map(([, v]) => (typeof v === 'string' ? parseNumber(v) : undefined)),
  );
}

/**
 * Aggregate (lifetime) ECC total: Pascal's `single_bit/total` / `double_bit/total`, or the sum of the
 * per-location counts (`sram_correctable`, `dram_correctable`; uncorrectable also split into
 * `sram_uncorrectable_parity` / `_secded` from DTD v13), as nvidia-smi's `ecc.errors.*.aggregate.total`.
 */
function eccAggregate(gpu: XmlValue, kind: 'correctable' | 'uncorrectable'): number | undefined {
  const agg = child(gpu, 'ecc_errors', 'aggregate');
  if (!isNode(agg)) return undefined;
  const pascal = parseNumber(text(agg, kind === 'correctable' ? 'single_bit' : 'double_bit', 'total'));
  if (pascal !== undefined) return pascal;
  const re = kind === 'correctable' ? /_correctable$/ : /_uncorrectable(?:_parity|_secded)?$/;
  return sumDefined(...Object.entries(agg).map(([tag, v]) => (re.test(tag) && typeof v === 'string' ? parseNumber(v) : undefined)));
}

/** Where the XML keeps each `--query-gpu` field the peer readings use (smi-peer.ts). */
const PEER_PATHS: Readonly<Record<string, readonly string[]>> = {
  pstate: ['performance_state'],
  compute_mode: ['compute_mode'],
  'clocks.current.graphics': ['clocks', 'graphics_clock'],
  'clocks.max.graphics': ['max_clocks', 'graphics_clock'],
  'clocks.current.video': ['clocks', 'video_clock'],
  'utilization.encoder': ['utilization', 'encoder_util'],
  'utilization.decoder': ['utilization', 'decoder_util'],
  'temperature.memory': ['temperature', 'memory_temp'],
  'remapped_rows.correctable': ['remapped_rows', 'remapped_row_corr'],
  'remapped_rows.uncorrectable': ['remapped_rows', 'remapped_row_unc'],
  'remapped_rows.pending': ['remapped_rows', 'remapped_row_pending'],
  'remapped_rows.failure': ['remapped_rows', 'remapped_row_failure'],
  gpu_recovery_action: ['gpu_recovery_action'],
  'fabric.state': ['fabric', 'state'],
};

function peer(gpu: XmlValue): PeerReadings | undefined {
  const agg = { corrected: eccAggregate(gpu, 'correctable'), uncorrected: eccAggregate(gpu, 'uncorrectable') };
  return peerFromReport(
    (field) => {
      if (field === 'ecc.errors.corrected.aggregate.total') return agg.corrected?.toString();
      if (field === 'ecc.errors.uncorrected.aggregate.total') return agg.uncorrected?.toString();
      const path = PEER_PATHS[field];
      return path === undefined ? undefined : text(gpu, ...path);
    },
    { minorNumber: text(gpu, 'minor_number'), pcieReplays: text(gpu, 'pci', 'replay_counter') },
  );
}

function processes(gpu: XmlValue): GpuReadingDetail['processes'] {
  const block = child(gpu, 'processes');
  if (block === undefined) return undefined;
  const out: NonNullable<GpuReadingDetail['processes']> = [];
  for (const p of list(child(block, 'process_info'))) {
    const pid = parseNumber(text(p, 'pid'));
    if (pid === undefined) continue;
    out.push(compact({ pid, name: parseText(text(p, 'process_name')), used_memory_bytes: parseMibBytes(text(p, 'used_memory')) }));
  }
  return out;
}

function migDevices(gpu: XmlValue): MigDeviceSnapshot[] | undefined {
  const devices = list(child(gpu, 'mig_devices', 'mig_device'));
  if (devices.length === 0) return undefined;
  return devices.map((d) =>
    compact<MigDeviceSnapshot>({
      gpu_instance_id: parseNumber(text(d, 'gpu_instance_id')),
      compute_instance_id: parseNumber(text(d, 'compute_instance_id')),
      uuid: parseText(text(d, 'uuid')),
      memory_used_bytes: parseMibBytes(text(d, 'fb_memory_usage', 'used')),
      memory_total_bytes: parseMibBytes(text(d, 'fb_memory_usage', 'total')),
      memory_reserved_bytes: parseMibBytes(text(d, 'fb_memory_usage', 'reserved')),
    }),
  );
}

const POWER_BLOCKS = ['gpu_power_readings', 'power_readings'];
const powerPaths = (names: readonly string[]): string[][] => POWER_BLOCKS.flatMap((b) => names.map((n) => [b, n]));

function readingFromGpu(gpu: XmlValue, ordinal: number, log: XmlValue): GpuReadingDetail {
  const flags = reasonFlags(gpu);
  const mask = maskFromFlags(flags);
  const counters = reasonCounters(gpu);
  const migMode = parseEnabled(text(gpu, 'mig_mode', 'current_mig'));
  return compact<GpuReadingDetail>({
    index: ordinal,
    uuid: parseText(text(gpu, 'uuid')),
    name: parseText(text(gpu, 'product_name')),
    driver_version: parseText(text(log, 'driver_version')),
    cuda_version: parseText(text(log, 'cuda_version')),
    pci_bus_id: parseText(text(gpu, '@_id')) ?? parseText(text(gpu, 'pci', 'pci_bus_id')),
    utilization_gpu_ratio: parsePercentRatio(text(gpu, 'utilization', 'gpu_util')),
    utilization_memory_ratio: parsePercentRatio(text(gpu, 'utilization', 'memory_util')),
    memory_used_bytes: parseMibBytes(text(gpu, 'fb_memory_usage', 'used')),
    memory_total_bytes: parseMibBytes(text(gpu, 'fb_memory_usage', 'total')),
    memory_reserved_bytes: parseMibBytes(text(gpu, 'fb_memory_usage', 'reserved')),
    temperature_celsius: parseNumber(text(gpu, 'temperature', 'gpu_temp')),
    power_draw_watts: parseNumber(first(gpu, powerPaths(['power_draw', 'average_power_draw', 'instant_power_draw']))),
    power_limit_watts: parseNumber(first(gpu, powerPaths(['enforced_power_limit', 'current_power_limit', 'power_limit']))),
    sm_clock_mhz: parseNumber(text(gpu, 'clocks', 'sm_clock')),
    sm_clock_max_mhz: parseNumber(text(gpu, 'max_clocks', 'sm_clock')),
    memory_clock_mhz: parseNumber(text(gpu, 'clocks', 'mem_clock')),
    memory_clock_max_mhz: parseNumber(text(gpu, 'max_clocks', 'mem_clock')),
    fan_ratio: parsePercentRatio(text(gpu, 'fan_speed')),
    pcie_tx_bytes_per_s: parseKbPerSecond(text(gpu, 'pci', 'tx_util')),
    pcie_rx_bytes_per_s: parseKbPerSecond(text(gpu, 'pci', 'rx_util')),
    ecc_corrected_total: eccTotal(gpu, 'correctable'),
    ecc_uncorrected_total: eccTotal(gpu, 'uncorrectable'),
    clock_event_reasons_mask: mask,
    clock_event_reasons: mask === undefined ? undefined : decodeClockEventReasons(mask),
    clock_event_reason_counters_us: counters,
    throttle_thermal_us: counters && sumAll(counters.sw_thermal_slowdown, counters.hw_thermal_slowdown),
    throttle_power_us: counters && sumAll(counters.sw_power_cap, counters.hw_power_brake_slowdown),
    mig_enabled: migMode,
    mig_devices: migMode === true ? migDevices(gpu) : undefined,
    processes: processes(gpu),
    peer: peer(gpu),
  });
}

/** True when the text is nvidia-smi XML (`<nvidia_smi_log>` root, with or without DOCTYPE). */
export function isNvidiaSmiXml(textIn: string): boolean {
  return /<nvidia_smi_log[\s>]/.test(textIn.slice(0, 4096));
}

/** `nvidia-smi -q -x` text → readings, one per `<gpu>`; `undefined` when it is not that XML. */
export function parseNvidiaSmiXml(xml: string): GpuReadingDetail[] | undefined {
  let doc: XmlValue;
  try {
    doc = createParser().parse(xml) as XmlValue;
  } catch {
    return undefined;
  }
  const log = child(doc, 'nvidia_smi_log');
  if (!isNode(log)) return undefined;
  return list(child(log, 'gpu')).map((g, i) => readingFromGpu(g, i, log));
}
