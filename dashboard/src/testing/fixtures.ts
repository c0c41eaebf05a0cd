// API payloads for component tests, built through the @renderwatch/schema schemas so a contract
// change breaks the tests, not the page at run time.
import {
  AlertListResponseSchema,
  CapacityResponseSchema,
  FleetResponseSchema,
  FleetSummaryResponseSchema,
  HostSeriesResponseSchema,
  OomResponseSchema,
  SloListResponseSchema,
  SlowdownResponseSchema,
  seriesTimes,
  toSeriesColumns,
  UtilizationResponseSchema,
  type Alert,
  type FleetGpu,
  type FleetHost,
  type GpuSeries,
  type HostSeriesPoint,
  type OomRow,
  type SloStatus,
} from '@renderwatch/schema';

export const GiB = 1024 ** 3;
export const NOW = '2026-05-01T12:00:00.000Z';

export function gpu(over: Partial<FleetGpu> = {}): FleetGpu {
  return {
    index: 0,
    uuid: 'GPU-aaaa-0001',
    name: 'NVIDIA L40S',
    utilization_ratio: 0.734,
    memory_used_bytes: 20 * GiB,
    memory_total_bytes: 45 * GiB,
    temperature_celsius: 64,
    power_draw_watts: 281.5,
    clock_event_reasons: [],
    last_seen: '2026-05-01T11:59:58.000Z',
    ...over,
  };
}

export function host(name: string, gpus: FleetGpu[], over: Partial<FleetHost> = {}): FleetHost {
  return {
    host: name,
    agent_id: `agent-${name}`,
    driver_version: '570.124.04',
    agent_version: '0.1.0',
    last_seen: '2026-05-01T11:59:58.000Z',
    silent: false,
    gpus,
    ...over,
  };
}

export function fleet(hosts: FleetHost[]) {
  return FleetResponseSchema.parse({ generated_at: NOW, silent_after_s: 60, hosts });
}

function mean(xs: (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => x !== null && x !== undefined);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

/** A /fleet/utilization answer built from per-host points, as the API aggregates them (mean over hosts per bucket). */
export function utilization(points: { t: string; host: string; u: number | null; m?: number | null }[]) {
  const times = [...new Set(points.map((p) => p.t))].sort();
  const at = (t: string) => points.filter((p) => p.t === t);
  const names = [...new Set(points.map((p) => p.host))].sort();
  return UtilizationResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    step_s: 60,
    resolution: 'raw',
    times,
    utilization_ratio: times.map((t) => mean(at(t).map((p) => p.u))),
    memory_used_ratio: times.map((t) => mean(at(t).map((p) => p.m))),
    hosts_reporting: times.map((t) => at(t).length),
    hosts_total: names.length,
    hosts: names.map((name) => ({ host: name, utilization_ratio: times.map((t) => points.find((p) => p.t === t && p.host === name)?.u ?? null) })),
  });
}

export function summary(over: Partial<{ images_per_min: number; ooms: number }> = {}) {
  return FleetSummaryResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    step_s: 60,
    resolution: 'raw',
    hosts_total: 2,
    hosts_up: 2,
    hosts_silent: 0,
    gpus_total: 3,
    gpus_busy: 2,
    images: 3228,
    images_per_min: 53.8,
    jobs: 800,
    jobs_ok: 790,
    ooms: 7,
    thermal_throttle_share: 0.01,
    utilization_ratio: 0.6,
    ...over,
  });
}

export function slo(over: Partial<SloStatus> = {}): SloStatus {
  return {
    name: 'oom-rate',
    display_name: 'OOM rate',
    description: 'jobs that do not run out of GPU memory',
    kind: 'oom_free',
    objective: 0.99,
    threshold_s: null,
    window_s: 30 * 86400,
    good: 9850,
    valid: 10000,
    sli: 0.985,
    error_budget_remaining: -0.5,
    period_burn_rate: 1.5,
    windows: [
      { window: '1h', window_s: 3600, good: 80, valid: 100, burn_rate: 20 },
      { window: '5m', window_s: 300, good: 8, valid: 10, burn_rate: 20 },
      { window: '3d', window_s: 259200, good: 990, valid: 1000, burn_rate: 1 },
    ],
    status: 'page',
    min_events: 10,
    evaluated_at: NOW,
    ...over,
  };
}

export function sloList(slos: SloStatus[]) {
  return SloListResponseSchema.parse({ generated_at: NOW, slos });
}

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'fp-1',
    alertname: 'GpuTemperatureHigh',
    severity: 'page',
    source: 'rule',
    rule: 'gpu-hot',
    state: 'firing',
    labels: { host: 'render-07', gpu_index: '1' },
    annotations: { summary: 'GPU 1 of render-07 at 91 °C' },
    value: 91,
    active_at: '2026-05-01T11:50:00.000Z',
    fired_at: '2026-05-01T11:55:00.000Z',
    resolved_at: null,
    updated_at: NOW,
    acknowledged_by: null,
    acknowledged_at: null,
    generator_url: '',
    ...over,
  };
}

export function alertList(alerts: Alert[]) {
  return AlertListResponseSchema.parse({ generated_at: NOW, alerts });
}

export function oomRow(over: Partial<OomRow> = {}): OomRow {
  return {
    ts: '2026-05-01T11:30:00.000Z',
    host: 'render-03',
    gpu_index: 1,
    runtime: 'comfyui',
    gpu_tier_gb: 24,
    cause: 'resolution',
    cause_rule: 'requested 9.0 GiB > free 2.1 GiB and scales with pixels',
    requested_bytes: 9 * GiB,
    total_bytes: 24 * GiB,
    free_bytes: 2.1 * GiB,
    allocated_bytes: 19 * GiB,
    reserved_unallocated_bytes: 0.5 * GiB,
    other_processes_bytes: 0,
    recovered: false,
    job_id: 'job-17',
    model: 'flux1-dev',
    width: 2048,
    height: 2048,
    batch: 1,
    ...over,
  };
}

export function oomResponse(events: OomRow[], over: Record<string, unknown> = {}) {
  const count = (k: (o: OomRow) => string) =>
    [...events.reduce((m, o) => m.set(k(o), (m.get(k(o)) ?? 0) + 1), new Map<string, number>())].map(([key, c]) => ({ key, count: c }));
  return OomResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    total: events.length,
    by_cause: count((o) => o.cause),
    by_model: count((o) => o.model ?? 'unknown'),
    by_resolution: count((o) => `${o.width}x${o.height}`),
    by_batch: count((o) => String(o.batch)),
    by_gpu_tier: count((o) => String(o.gpu_tier_gb ?? 'unknown')),
    events,
    truncated: false,
    advice: [],
    ...over,
  });
}

export function capacity(workloads: Record<string, unknown>[]) {
  return CapacityResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    resolution: 'raw',
    tiers_gb: [16, 24, 32, 48, 80],
    workloads,
    gpu_models: [{ gpu_name: 'NVIDIA L40S', gpus: 4, gpu_hours: 4, busy_gpu_hours: 2.5, utilization_ratio: 0.625 }],
  });
}

export function slowdowns(hosts: Record<string, unknown>[]) {
  return SlowdownResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    baseline_from: '2026-04-24T11:00:00.000Z',
    baseline_to: '2026-05-01T11:00:00.000Z',
    resolution: '1m',
    hosts,
  });
}

/** The wire form (arrays per field) of GPU series given as points, as the collector builds it. */
export function compactSeries(gpus: GpuSeries[], hostPoints: HostSeriesPoint[] = []) {
  const times = seriesTimes(gpus, hostPoints);
  return { times, ...toSeriesColumns(times, gpus, hostPoints) };
}

export function hostSeries(over: Record<string, unknown> = {}) {
  const pts = ['2026-05-01T11:58:00.000Z', '2026-05-01T11:59:00.000Z'].map((t, i) => ({
    t,
    utilization_ratio: 0.5 + i * 0.2,
    utilization_max_ratio: 0.9,
    memory_used_bytes: 10 * GiB,
    memory_used_max_bytes: 12 * GiB,
    memory_total_bytes: 24 * GiB,
    temperature_celsius: 70,
    temperature_max_celsius: 75,
    power_draw_watts: 300,
    sm_clock_mhz: 2500,
    mem_clock_mhz: 10000,
    thermal_share: 0,
    power_share: 0,
    hw_slowdown_share: 0,
  }));
  return HostSeriesResponseSchema.parse({
    from: '2026-05-01T11:00:00.000Z',
    to: NOW,
    step_s: 60,
    resolution: 'raw',
    host: 'render-03',
    ...compactSeries([
      { uuid: 'GPU-0', index: 0, name: 'NVIDIA GeForce RTX 4090', points: pts },
      { uuid: 'GPU-1', index: 1, name: 'NVIDIA GeForce RTX 4090', points: pts },
    ]),
    throttle_bands: [{ gpu_uuid: 'GPU-1', reason: 'thermal', from: '2026-05-01T11:58:00.000Z', to: '2026-05-01T11:59:00.000Z', peak_share: 0.8 }],
    markers: [
      { ts: '2026-05-01T11:58:30.000Z', kind: 'oom', runtime: 'comfyui', gpu_index: 1, label: 'OOM: requested 9.0 GiB, free 2.1 GiB' },
      { ts: '2026-05-01T11:58:10.000Z', kind: 'model_load', runtime: 'comfyui', gpu_index: 0, label: 'flux1-dev from disk in 12 s' },
    ],
    markers_truncated: false,
    processes: [
      { gpu_uuid: 'GPU-0', gpu_index: 0, pid: 4242, name: 'python', runtime: 'comfyui', used_memory_bytes: 10 * GiB },
      { gpu_uuid: 'GPU-1', gpu_index: 1, pid: 777, name: 'blender', runtime: '', used_memory_bytes: 6 * GiB },
    ],
    ...over,
  });
}

/**
 * Campaign "alpha" of collector/test/cost-campaigns.int.test.ts, as the collector answers it: 1230 s
 * on the H100 at $2.00/h, 123 000 J, 3 jobs (1 without a GPU), 13 images.
 */
export const ALPHA_CAMPAIGN_FIGURES = {
  gpu_names: ['NVIDIA H100 80GB HBM3'],
  jobs: 3,
  images: 13,
  unattributed_jobs: 1,
  gpu_hours: 1230 / 3600,
  energy_kwh: 123_000 / 3.6e6,
  cost: (1230 / 3600) * 2,
  unpriced_gpu_hours: 0,
  cost_per_image: ((1230 / 3600) * 2) / 13,
};
