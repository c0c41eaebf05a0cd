// Parser for the plain-text `nvidia-smi -q` report (for support staff who only got a paste).
// Lines are `<indent>Key : value` or `<indent>Section`; each line's path is its ancestors by indent.
import { decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpuReadingDetail, MigDeviceSnapshot, PeerReadings } from './sampler.js';
import { peerFromReport } from './smi-peer.js';
import {
  compact,
  maskFromFlags,
  parseActive,
  parseEnabled,
  parseMibBytes,
  parseNumber,
  parsePercentRatio,
  parseText,
  sumAll,
  sumDefined,
} from './smi-values.js';

/** `-q` reason labels → contract names (HW thermal / power brake sit under "HW Slowdown"). */
const TEXT_REASONS: Readonly<Record<string, ClockEventReason>> = {
  Idle: 'gpu_idle',
  'Applications Clocks Setting': 'applications_clocks_setting',
  'SW Power Cap': 'sw_power_cap',
  'HW Slowdown': 'hw_slowdown',
  'HW Slowdown/HW Thermal Slowdown': 'hw_thermal_slowdown',
  'HW Slowdown/HW Power Brake Slowdown': 'hw_power_brake_slowdown',
  'Sync Boost': 'sync_boost',
  'SW Thermal Slowdown': 'sw_thermal_slowdown',
  'Display Clock Setting': 'display_clock_setting',
};
const TEXT_COUNTERS: Readonly<Record<string, ClockEventReason>> = {
  'SW Power Capping': 'sw_power_cap',
  'Sync Boost': 'sync_boost',
  'SW Thermal Slowdown': 'sw_thermal_slowdown',
  'HW Thermal Slowdown': 'hw_thermal_slowdown',
  'HW Power Braking': 'hw_power_brake_slowdown',
};

interface TextGpu {
  busId: string;
  values: Map<string, string>;
  processes: Map<string, string>[];
  mig: Map<string, string>[];
}

/** A GPU block pasted without the report's banner and header (rtx3090-q-gpu-block-only-2021-cut.txt). */
const GPU_BLOCK = /^GPU [0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]\s*\r?\n {4}\S[^:\n]*\s:/m;

export function isNvidiaSmiQueryText(text: string): boolean {
  const head = text.slice(0, 512).replace(/^\uFEFF/, '');
  return /=+NVSMI LOG=+/.test(head) || GPU_BLOCK.test(head);
}

function collect(text: string): { header: Map<string, string>; gpus: TextGpu[] } {
  const header = new Map<string, string>();
  const gpus: TextGpu[] = [];
  let gpu: TextGpu | undefined;
  const stack: { indent: number; key: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.includes('NVSMI LOG')) continue;
    const indent = raw.length - raw.trimStart().length;
    const m = /^(.*?)\s+:(?:\s(.*))?$/.exec(raw.trim());
    const key = (m?.[1] ?? raw.trim()).trim();
    const value = m === null ? undefined : (m[2] ?? '');
    const gpuLine = indent === 0 && /^GPU [0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f]+$/.exec(key);
    if (gpuLine) {
      gpu = { busId: key.slice(4), values: new Map(), processes: [], mig: [] };
      gpus.push(gpu);
      stack.length = 0;
      continue;
    }
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const parents = stack.map((s) => s.key);
    stack.push({ indent, key });
    if (gpu === undefined) {
      if (value !== undefined) header.set(key, value);
      continue;
    }
    if (parents[0] === 'MIG Device' || (parents.length === 0 && key === 'MIG Device')) {
      if (parents.length === 0) gpu.mig.push(new Map());
      else if (value !== undefined) gpu.mig[gpu.mig.length - 1]?.set([...parents.slice(1), key].join('/'), value);
      continue;
    }
    if (parents[0] === 'Processes') {
      if (key === 'GPU instance ID' || gpu.processes.length === 0) gpu.processes.push(new Map());
      if (value !== undefined) gpu.processes[gpu.processes.length - 1]?.set(key, value);
      continue;
    }
    if (parents.length === 0 && key === 'Processes') gpu.values.set('Processes', value ?? '');
    const path = [...parents, key].join('/');
    if (value !== undefined && !gpu.values.has(path)) gpu.values.set(path, value);
  }
  return { header, gpus };
}

/** Where `-q` prints each `--query-gpu` field the peer readings use (smi-peer.ts). */
const PEER_PATHS: Readonly<Record<string, string>> = {
  pstate: 'Performance State',
  compute_mode: 'Compute Mode',
  'clocks.current.graphics': 'Clocks/Graphics',
  'clocks.max.graphics': 'Max Clocks/Graphics',
  'clocks.current.video': 'Clocks/Video',
  'utilization.encoder': 'Utilization/Encoder',
  'utilization.decoder': 'Utilization/Decoder',
  'temperature.memory': 'Temperature/Memory Current Temp',
  'remapped_rows.correctable': 'Remapped Rows/Correctable Error',
  'remapped_rows.uncorrectable': 'Remapped Rows/Uncorrectable Error',
  'remapped_rows.pending': 'Remapped Rows/Pending',
  'remapped_rows.failure': 'Remapped Rows/Remapping Failure Occurred',
  gpu_recovery_action: 'GPU Recovery Action',
  'fabric.state': 'Fabric/State',
};

/** `ECC Errors/Aggregate` total: Pascal's `Single Bit/Total`, else the sum of the per-location counts. */
function eccAggregate(g: TextGpu, kind: 'correctable' | 'uncorrectable'): number | undefined {
  const pascal = parseNumber(g.values.get(`ECC Errors/Aggregate/${kind === 'correctable' ? 'Single Bit' : 'Double Bit'}/Total`));
  if (pascal !== undefined) return pascal;
  const re = kind === 'correctable' ? /^ECC Errors\/Aggregate\/[^/]* Correctable$/ : /^ECC Errors\/Aggregate\/[^/]* Uncorrectable(?: Parity| SEC-DED)?$/;
  return sumDefined(...[...g.values].map(([path, v]) => (re.test(path) ? parseNumber(v) : undefined)));
}

function peer(g: TextGpu): PeerReadings | undefined {
  const agg = { corrected: eccAggregate(g, 'correctable'), uncorrected: eccAggregate(g, 'uncorrectable') };
  return peerFromReport(
    (field) => {
      if (field === 'ecc.errors.corrected.aggregate.total') return agg.corrected?.toString();
      if (field === 'ecc.errors.uncorrected.aggregate.total') return agg.uncorrected?.toString();
      const path = PEER_PATHS[field];
      return path === undefined ? undefined : g.values.get(path);
    },
    { minorNumber: g.values.get('Minor Number'), pcieReplays: g.values.get('PCI/Replays Since Reset') },
  );
}

function reading(g: TextGpu, ordinal: number, header: ReadonlyMap<string, string>): GpuReadingDetail {
  const v = (p: string): string | undefined => g.values.get(p);
  const flags = new Map<ClockEventReason, boolean | undefined>();
  for (const [label, reason] of Object.entries(TEXT_REASONS)) {
    const raw = v(`Clocks Event Reasons/${label}`) ?? v(`Clocks Throttle Reasons/${label}`);
    if (raw !== undefined) flags.set(reason, parseActive(raw)); // present but unreadable: no mask
  }
  const mask = maskFromFlags(flags);
  const counters: Partial<Record<ClockEventReason, number>> = {};
  for (const [label, reason] of Object.entries(TEXT_COUNTERS)) {
    const us = parseNumber(v(`Clocks Event Reasons Counters/${label}`));
    if (us !== undefined) counters[reason] = us;
  }
  const hasCounters = Object.keys(counters).length > 0;
  const migEnabled = parseEnabled(v('MIG Mode/Current'));
  const procs = g.processes.flatMap((p) => {
    const pid = parseNumber(p.get('Process ID'));
    if (pid === undefined) return [];
    return [compact({ pid, name: parseText(p.get('Name')), used_memory_bytes: parseMibBytes(p.get('Used GPU Memory')) })];
  });
  const hasProcessBlock = g.values.has('Processes');
  return compact<GpuReadingDetail>({
    index: ordinal,
    uuid: parseText(v('GPU UUID')),
    name: parseText(v('Product Name')),
    driver_version: parseText(header.get('Driver Version')),
    cuda_version: parseText(header.get('CUDA Version')),
    pci_bus_id: parseText(v('PCI/Bus Id')) ?? g.busId,
    utilization_gpu_ratio: parsePercentRatio(v('Utilization/GPU') ?? v('Utilization/Gpu')),
    utilization_memory_ratio: parsePercentRatio(v('Utilization/Memory')),
    memory_used_bytes: parseMibBytes(v('FB Memory Usage/Used')),
    memory_total_bytes: parseMibBytes(v('FB Memory Usage/Total')),
    memory_reserved_bytes: parseMibBytes(v('FB Memory Usage/Reserved')),
    temperature_celsius: parseNumber(v('Temperature/GPU Current Temp')),
    power_draw_watts: parseNumber(
      [v('GPU Power Readings/Power Draw'), v('GPU Power Readings/Average Power Draw'), v('Power Readings/Power Draw')].find((x) => parseText(x) !== undefined),
    ),
    power_limit_watts: parseNumber(
      [v('GPU Power Readings/Current Power Limit'), v('Power Readings/Enforced Power Limit'), v('Power Readings/Power Limit')].find(
        (x) => parseText(x) !== undefined,
      ),
    ),
    sm_clock_mhz: parseNumber(v('Clocks/SM')),
    sm_clock_max_mhz: parseNumber(v('Max Clocks/SM')),
    memory_clock_mhz: parseNumber(v('Clocks/Memory')),
    memory_clock_max_mhz: parseNumber(v('Max Clocks/Memory')),
    fan_ratio: parsePercentRatio(v('Fan Speed')),
    clock_event_reasons_mask: mask,
    clock_event_reasons: mask === undefined ? undefined : decodeClockEventReasons(mask),
    clock_event_reason_counters_us: hasCounters ? counters : undefined,
    throttle_thermal_us: hasCounters ? sumAll(counters.sw_thermal_slowdown, counters.hw_thermal_slowdown) : undefined,
    throttle_power_us: hasCounters ? sumAll(counters.sw_power_cap, counters.hw_power_brake_slowdown) : undefined,
    mig_enabled: migEnabled,
    mig_devices:
      migEnabled === true && g.mig.length > 0
        ? g.mig.map((d) =>
            compact<MigDeviceSnapshot>({
              gpu_instance_id: parseNumber(d.get('GPU Instance ID')),
              compute_instance_id: parseNumber(d.get('Compute Instance ID')),
              memory_used_bytes: parseMibBytes(d.get('Shared FB Memory Usage/Used') ?? d.get('FB Memory Usage/Used')),
              memory_total_bytes: parseMibBytes(d.get('Shared FB Memory Usage/Total') ?? d.get('FB Memory Usage/Total')),
              memory_reserved_bytes: parseMibBytes(d.get('Shared FB Memory Usage/Reserved') ?? d.get('FB Memory Usage/Reserved')),
            }),
          )
        : undefined,
    processes: hasProcessBlock ? procs : undefined,
    peer: peer(g),
  });
}

/** `nvidia-smi -q` text → readings, one per `GPU <bus id>` block. */
export function parseNvidiaSmiQueryText(text: string): GpuReadingDetail[] {
  const { header, gpus } = collect(text.replace(/^\uFEFF/, ''));
  return gpus.map((g, i) => reading(g, i, header));
}
