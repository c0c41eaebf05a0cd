import { z } from 'zod';

/**
 * NVML clock-event (throttle) reason bits, nvml.h `nvmlClocksEventReason*`.
 * Names are the docs/design.md contract names.
 */
export const CLOCK_EVENT_REASON_BITS = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clock_setting: 0x100,
} as const;
export type ClockEventReason = keyof typeof CLOCK_EVENT_REASON_BITS;
export const CLOCK_EVENT_REASONS = Object.keys(CLOCK_EVENT_REASON_BITS) as ClockEventReason[];
export const ClockEventReasonSchema = z.enum(CLOCK_EVENT_REASONS as [ClockEventReason, ...ClockEventReason[]]);

/** Decodes a raw clock-event bitmask into its reason names, in bit order. */
export function decodeClockEventReasons(mask: number): ClockEventReason[] {
  return CLOCK_EVENT_REASONS.filter((r) => (mask & CLOCK_EVENT_REASON_BITS[r]) !== 0);
}

/** Encodes reason names back into the NVML bitmask. */
export function encodeClockEventReasons(reasons: readonly ClockEventReason[]): number {
  return reasons.reduce((m, r) => m | CLOCK_EVENT_REASON_BITS[r], 0);
}

/** Thermal reasons (software or hardware), for the thermal-throttle signal. */
export const THERMAL_REASON_MASK = CLOCK_EVENT_REASON_BITS.sw_thermal_slowdown | CLOCK_EVENT_REASON_BITS.hw_thermal_slowdown;
export const POWER_REASON_MASK = CLOCK_EVENT_REASON_BITS.sw_power_cap | CLOCK_EVENT_REASON_BITS.hw_power_brake_slowdown;

export const GpuProcessInfoSchema = z.object({
  pid: z.number().int().nonnegative(),
  name: z.string().optional(),
  used_memory_bytes: z.number().nonnegative().optional(),
});

/**
 * One GPU reading, the shape `parse-nvidia-smi` and `sample --once` print (docs/design.md "Contracts").
 * Absent values are omitted, never zero.
 */
export const GpuReadingSchema = z.object({
  index: z.number().int().nonnegative(),
  uuid: z.string().optional(),
  name: z.string().optional(),
  driver_version: z.string().optional(),
  utilization_gpu_ratio: z.number().min(0).max(1).optional(),
  memory_used_bytes: z.number().nonnegative().optional(),
  memory_total_bytes: z.number().nonnegative().optional(),
  temperature_celsius: z.number().optional(),
  power_draw_watts: z.number().nonnegative().optional(),
  power_limit_watts: z.number().nonnegative().optional(),
  sm_clock_mhz: z.number().nonnegative().optional(),
  sm_clock_max_mhz: z.number().nonnegative().optional(),
  memory_clock_mhz: z.number().nonnegative().optional(),
  fan_ratio: z.number().min(0).optional(),
  clock_event_reasons: z.array(ClockEventReasonSchema).optional(),
  mig_enabled: z.boolean().optional(),
  processes: z.array(GpuProcessInfoSchema).optional(),
});
export type GpuReading = z.infer<typeof GpuReadingSchema>;
