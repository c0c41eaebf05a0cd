// Value parsing shared by the nvidia-smi XML, CSV and text parsers. Every "not a value" marker
// (`[N/A]`, `N/A`, `[Not Supported]`, `[Requested functionality has been deprecated]`, `[Unknown Error]`,
// `[GPU is lost]`, `[Insufficient Permissions]`, any other bracketed text, `ERR!`, `Not Found` (the CUDA
// version of a vGPU host driver, agent/test/fixtures/nvidia-smi/rtx-pro-6000-x4-driver580-q-d-memory-performance-cut.txt), empty) becomes
// `undefined`: absent, never zero.

/** Unbracketed markers (nvidia-smi's table prints `ERR!`; some builds drop the brackets). */
const ABSENT = new Set(['n/a', 'not supported', 'unknown error', 'err!', 'gpu is lost', 'insufficient permissions', 'not available', 'not found']);
import { CLOCK_EVENT_REASON_BITS, type ClockEventReason } from '@renderwatch/schema';

export const MIB = 1024 * 1024;

/** True when nvidia-smi printed a placeholder instead of a value. */
export function isAbsentValue(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const t = raw.trim();
  if (t === '') return true;
  if (t.startsWith('[') && t.endsWith(']')) return true;
  const lower = t.toLowerCase();
  return ABSENT.has(lower) || lower.startsWith('requested functionality');
}

/** Cleans a text value; placeholders become undefined. */
export function parseText(raw: string | undefined): string | undefined {
  if (isAbsentValue(raw)) return undefined;
  return raw?.trim();
}

/** Leading number of a value such as `19818 MiB`, `631.95 W`, `59 C`, `100 %`; undefined if none. */
export function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || isAbsentValue(raw)) return undefined;
  const m = /^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(raw);
  if (m?.[1] === undefined) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

/** Percent (`100 %`, `100`) → ratio 0..1 (or above 1 for fans that report > 100). */
export function parsePercentRatio(raw: string | undefined): number | undefined {
  const n = parseNumber(raw);
  return n === undefined ? undefined : n / 100;
}

/** MiB value (`19818 MiB` or `19818`) → bytes. */
export function parseMibBytes(raw: string | undefined): number | undefined {
  const n = parseNumber(raw);
  return n === undefined ? undefined : Math.round(n * MIB);
}

/** `0 KB/s` (NVML KB = 1024 bytes) → bytes per second. */
export function parseKbPerSecond(raw: string | undefined): number | undefined {
  const n = parseNumber(raw);
  return n === undefined ? undefined : Math.round(n * 1024);
}

/** `Enabled` / `Disabled` (MIG mode) → boolean; anything else absent. */
export function parseEnabled(raw: string | undefined): boolean | undefined {
  const t = parseText(raw)?.toLowerCase();
  if (t === 'enabled') return true;
  if (t === 'disabled') return false;
  return undefined;
}

/** `Active` / `Not Active` → boolean; anything else absent. */
export function parseActive(raw: string | undefined): boolean | undefined {
  const t = parseText(raw)?.toLowerCase();
  if (t === 'active') return true;
  if (t === 'not active') return false;
  return undefined;
}

/**
 * A 64-bit hex bitmask such as `0x0000000000000004` → a JS number. Bits above 2^53 (only the
 * long-removed `Unknown` reason, 1<<63) are dropped: no reason we decode lives there.
 */
export function parseHexMask(raw: string | undefined): number | undefined {
  const t = parseText(raw);
  if (t === undefined || !/^0x[0-9a-f]+$/i.test(t)) return undefined;
  return Number(BigInt(t) & ((1n << 53n) - 1n));
}

/**
 * Suffix names nvidia-smi uses for each reason in `clocks_event_reasons.<x>`, XML
 * `clocks_event_reason_<x>` and their old `throttle` aliases → the contract name.
 */
export const SMI_REASON_NAMES: Readonly<Record<string, ClockEventReason>> = {
  gpu_idle: 'gpu_idle',
  applications_clocks_setting: 'applications_clocks_setting',
  sw_power_cap: 'sw_power_cap',
  hw_slowdown: 'hw_slowdown',
  sync_boost: 'sync_boost',
  sw_thermal_slowdown: 'sw_thermal_slowdown',
  hw_thermal_slowdown: 'hw_thermal_slowdown',
  hw_power_brake_slowdown: 'hw_power_brake_slowdown',
  display_clocks_setting: 'display_clock_setting',
  display_clock_setting: 'display_clock_setting',
};

/**
 * Builds a mask from per-reason Active/Not Active flags (`undefined`: the report has the reason but
 * no readable flag); undefined when none was there or one was unreadable (a mask would claim it off).
 */
export function maskFromFlags(flags: ReadonlyMap<ClockEventReason, boolean | undefined>): number | undefined {
  if (flags.size === 0) return undefined;
  let mask = 0;
  for (const [reason, active] of flags) {
    if (active === undefined) return undefined;
    if (active) mask |= CLOCK_EVENT_REASON_BITS[reason];
  }
  return mask;
}

/**
 * Sum of counters that are all readable; undefined when one is not (a partial sum of cumulative
 * counters would jump when the missing one comes back).
 */
export function sumAll(...xs: (number | undefined)[]): number | undefined {
  let sum = 0;
  for (const x of xs) {
    if (x === undefined) return undefined;
    sum += x;
  }
  return sum;
}

/** Sum of the present values; undefined when none is present. */
export function sumDefined(...xs: (number | undefined)[]): number | undefined {
  const present = xs.filter((x): x is number => x !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

/** Removes keys whose value is undefined, so absent values are absent in JSON and in `in`. */
export function compact<T extends object>(obj: T): T {
  // An indexed loop: for-of allocates an iterator result per key when the daemon runs interpreted
  // (--no-opt), and this runs over ~40 keys per GPU per sample.
  const keys = Object.keys(obj) as (keyof T)[];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as keyof T;
    if (obj[k] === undefined) delete obj[k];
  }
  return obj;
}
