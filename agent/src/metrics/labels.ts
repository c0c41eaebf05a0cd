// Label bounding for every metric the agent exposes (docs/metrics.md "Labels and bounds"). A label
// value that is not in its known set becomes `other`, so no untrusted string can grow the series count.
import { CLOCK_EVENT_REASONS, JOB_OUTCOMES, MODEL_LOAD_SOURCES, OOM_CAUSES, RUNTIMES, type ClockEventReason } from '@renderwatch/schema';

/** Where a sample error came from (`renderwatch_agent_sample_errors_total{source}`). */
export const SAMPLE_SOURCES = ['nvml', 'nvidia-smi', 'replay', 'simulated', 'host', 'runtime_logs', 'runtime_api'] as const;
export type SampleSource = (typeof SAMPLE_SOURCES)[number];

function within<T extends string>(known: readonly T[], value: string | undefined, fallback: string): string {
  return value !== undefined && (known as readonly string[]).includes(value) ? value : fallback;
}

export const runtimeLabel = (v: string | undefined): string => within(RUNTIMES, v, 'other');
export const outcomeLabel = (v: string | undefined): string => within(JOB_OUTCOMES, v, 'unknown');
export const oomCauseLabel = (v: string | undefined): string => within(OOM_CAUSES, v, 'unknown');
export const modelSourceLabel = (v: string | undefined): string => within(MODEL_LOAD_SOURCES, v, 'unknown');
export const sampleSourceLabel = (v: string | undefined): string => within(SAMPLE_SOURCES, v, 'other');
export const reasonLabel = (v: string): ClockEventReason | undefined =>
  (CLOCK_EVENT_REASONS as readonly string[]).includes(v) ? (v as ClockEventReason) : undefined;

/** XID codes are small integers (NVIDIA documents < 200); anything else is `other`. */
export function xidLabel(xid: number | undefined): string {
  return xid !== undefined && Number.isInteger(xid) && xid >= 0 && xid < 1000 ? String(xid) : 'other';
}
