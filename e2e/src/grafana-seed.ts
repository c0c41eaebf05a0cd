// Seed rows for the Grafana panel SQL test: two GPU hosts (plus one silent host) of tenant
// studio-a, samples over the last two hours and hourly samples 10-20 days ago (so both the 1-minute
// and the 1-hour rollup branches of every panel have data), runtime events with jobs and OOMs, a GPU
// XID, SLO evaluations and alerts. Inserted into the raw tables; materialized views fill the rollups.
import type { Storage } from '@renderwatch/collector';

export const SEED_TENANT = 'studio-a';
export const SEED_HOSTS = ['render-01', 'render-02'] as const;
const GiB = 1024 ** 3;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

interface SeedRows {
  gpu_samples: Record<string, unknown>[];
  runtime_events: Record<string, unknown>[];
  gpu_status: Record<string, unknown>[];
  hosts: Record<string, unknown>[];
  slo_evaluations: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  alert_transitions: Record<string, unknown>[];
}

export function seedRows(nowMs: number): SeedRows {
  const times: number[] = [];
  for (let t = nowMs - 2 * 3600_000; t <= nowMs; t += 30_000) times.push(t);
  for (let t = nowMs - 20 * 86400_000; t <= nowMs - 10 * 86400_000; t += 3600_000) times.push(t);
  const rows: SeedRows = { gpu_samples: [], runtime_events: [], gpu_status: [], hosts: [], slo_evaluations: [], alerts: [], alert_transitions: [] };
  let seq = 0;
  for (const [h, host] of SEED_HOSTS.entries()) {
    rows.hosts.push({
      tenant: SEED_TENANT,
      host,
      agent_id: `agent-${host}`,
      driver_version: '590.44',
      cuda_version: '13.0',
      agent_version: '0.1.0',
      labels_keys: [],
      labels_values: [],
      last_seen: day(nowMs),
    });
    for (const [i, t] of times.entries()) {
      for (const g of [0, 1]) {
        const total = (h === 0 ? 24 : 80) * GiB;
        rows.gpu_samples.push({
          tenant: SEED_TENANT,
          host,
          agent_id: `agent-${host}`,
          ts: day(t),
          ts_ms: 0,
          gpu_index: g,
          gpu_uuid: `GPU-${h}${g}`,
          gpu_name: h === 0 ? 'NVIDIA GeForce RTX 4090' : 'NVIDIA A100-SXM4-80GB',
          util_ratio: ((i + g) % 10) / 10,
          mem_used_bytes: Math.round(total * 0.6),
          mem_total_bytes: total,
          temp_celsius: 60 + g,
          power_draw_watts: 300,
          sm_clock_mhz: 2500,
          mem_clock_mhz: 10000,
          clock_event_reasons: i % 4 === 0 ? 0x20 : 0x4,
          mig_enabled: 0,
          process_pids: [],
          process_names: [],
          process_runtimes: [],
          process_mem_bytes: [],
          batch_seq: 1,
        });
      }
      if (i % 10 === 0) {
        const outcome = i % 30 === 0 ? 'oom' : 'ok';
        rows.runtime_events.push({
          tenant: SEED_TENANT,
          host,
          agent_id: `agent-${host}`,
          ts: day(t),
          ts_ms: 0,
          batch_seq: 1,
          seq: seq++,
          kind: 'job_end',
          runtime: 'comfyui',
          gpu_index: 0,
          job_id: `j${i}`,
          model: 'flux1-dev',
          outcome,
          duration_s: 20,
          images: 4,
          width: 1024,
          height: 1024,
          steps: 20,
          batch: 1,
        });
        if (outcome === 'oom') {
          rows.runtime_events.push({
            tenant: SEED_TENANT,
            host,
            agent_id: `agent-${host}`,
            ts: day(t),
            ts_ms: 1,
            batch_seq: 1,
            seq: seq++,
            kind: 'oom',
            runtime: 'comfyui',
            gpu_index: 0,
            cause: i % 60 === 0 ? 'resolution' : '',
            cause_rule: 'requested_scales_with_pixels',
            requested_bytes: 4 * GiB,
            free_bytes: GiB,
            total_bytes: 24 * GiB,
            reserved_unallocated_bytes: 0,
            other_processes_bytes: 0,
            recovered: 0,
          });
        }
      }
    }
    for (const g of [0, 1]) {
      rows.gpu_status.push({
        tenant: SEED_TENANT,
        host,
        agent_id: `agent-${host}`,
        ts: day(nowMs - 600_000),
        ts_ms: 0,
        gpu_index: g,
        gpu_uuid: `GPU-${h}${g}`,
        status: 'xid',
        xid: 79,
        detail: 'GPU has fallen off the bus',
        batch_seq: 1,
        seq: g,
      });
    }
  }
  rows.hosts.push({
    tenant: SEED_TENANT,
    host: 'render-99',
    agent_id: 'agent-render-99',
    driver_version: '',
    cuda_version: '',
    agent_version: '0.1.0',
    labels_keys: [],
    labels_values: [],
    last_seen: day(nowMs - 3600_000),
  });
  for (const t of [nowMs - 3600_000, nowMs - 600_000, nowMs - 15 * 86400_000]) {
    for (const slo of ['batch_completion', 'oom_rate']) {
      rows.slo_evaluations.push({
        tenant: SEED_TENANT,
        slo,
        ts: day(t),
        kind: 'ratio',
        objective: 0.99,
        window_s: 2592000,
        good: 990,
        valid: 1000,
        sli: 0.99,
        budget_remaining: 0.4,
        period_burn_rate: 0.6,
        burn_5m: 1,
        burn_30m: 1,
        burn_1h: 2,
        burn_6h: 1.5,
        burn_3d: 0.8,
        status: 'ok',
        windows_json: '{}',
      });
    }
  }
  rows.alerts.push({
    tenant: SEED_TENANT,
    fingerprint: 'fp1',
    alertname: 'GpuHot',
    severity: 'warning',
    source: 'threshold',
    rule: 'gpu_hot',
    state: 'firing',
    labels_keys: ['host'],
    labels_values: ['render-01'],
    annotations_keys: [],
    annotations_values: [],
    value: 91,
    active_at: day(nowMs - 900_000),
    fired_at: day(nowMs - 600_000),
    resolved_at: null,
    acked_by: '',
    acked_at: null,
    last_sent_at: null,
    updated_at: day(nowMs),
    version: 2,
  });
  rows.alert_transitions.push({
    tenant: SEED_TENANT,
    fingerprint: 'fp1',
    alertname: 'GpuHot',
    ts: day(nowMs - 600_000),
    from_state: 'pending',
    to_state: 'firing',
    value: 91,
  });
  return rows;
}

export async function seed(storage: Storage, nowMs: number): Promise<void> {
  const rows = seedRows(nowMs);
  for (const [table, list] of Object.entries(rows)) await storage.insert(table, list as Record<string, unknown>[]);
}
