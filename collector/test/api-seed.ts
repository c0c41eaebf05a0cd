// Seeds two tenants with known rows straight into the raw tables (the materialized views fill the
// rollups), for the API integration tests.
import type { Storage } from '../src/storage/clickhouse.js';
import { splitTs } from '../src/domain/time.js';

const GiB = 1024 ** 3;

export interface Seeded {
  /** Start of the seeded hour (whole hour, UTC, ms). */
  hourMs: number;
}

function gpu(tenant: string, host: string, ms: number, util: number, memGiB: number, reasons: number, uuid = `${host}-gpu0`): Record<string, unknown> {
  return {
    tenant,
    host,
    agent_id: `${host}-agent`,
    ...splitTs(ms),
    gpu_index: 0,
    gpu_uuid: uuid,
    gpu_name: 'NVIDIA L4',
    util_ratio: util,
    mem_used_bytes: memGiB * GiB,
    mem_total_bytes: 24 * GiB,
    temp_celsius: 60,
    power_draw_watts: 70,
    clock_event_reasons: reasons,
    sm_clock_mhz: 1800,
    mem_clock_mhz: 6000,
    mig_enabled: 0,
    process_pids: [4242],
    process_names: ['python'],
    process_runtimes: ['comfyui'],
    process_mem_bytes: [memGiB * GiB],
    batch_seq: 1,
  };
}

function ev(tenant: string, host: string, ms: number, seq: number, f: Record<string, unknown>): Record<string, unknown> {
  return { tenant, host, agent_id: `${host}-agent`, ...splitTs(ms), batch_seq: 1, seq, runtime: 'comfyui', gpu_index: 0, extensions: [], ...f };
}

/** Tenant A: host a-host-1, 2 GPU samples per minute over 10 minutes, 4 ok jobs (2 images each), 1 OOM job. Tenant B: b-secret-host. */
export async function seedTwoTenants(storage: Storage, nowMs: number): Promise<Seeded> {
  const hourMs = Math.floor(nowMs / 3600_000) * 3600_000 - 3600_000;
  const gpus: Record<string, unknown>[] = [];
  for (let m = 0; m < 10; m++) {
    const t = hourMs + m * 60_000;
    // util 0.5 and 0.9 → mean 0.7; thermal bit (0x20) on the second sample of minutes 0-1.
    gpus.push(gpu('tenant-a', 'a-host-1', t, 0.5, 10 + m, 0));
    gpus.push(gpu('tenant-a', 'a-host-1', t + 30_000, 0.9, 12 + m, m < 2 ? 0x20 : 0));
    gpus.push(gpu('tenant-b', 'b-secret-host', t, 0.2, 70, 0, 'B-SECRET-GPU'));
  }
  await storage.insert('gpu_samples', gpus);
  await storage.insert('host_samples', [
    {
      tenant: 'tenant-a',
      host: 'a-host-1',
      agent_id: 'a',
      ...splitTs(hourMs),
      cpu_ratio: 0.25,
      disk_read_bytes_per_s: 1e8,
      net_rx_bytes_per_s: 5e7,
      volume_mounts: [],
      volume_roles: [],
      volume_size_bytes: [],
      volume_free_bytes: [],
      batch_seq: 1,
    },
    {
      tenant: 'tenant-b',
      host: 'b-secret-host',
      agent_id: 'b',
      ...splitTs(hourMs),
      cpu_ratio: 0.9,
      volume_mounts: [],
      volume_roles: [],
      volume_size_bytes: [],
      volume_free_bytes: [],
      batch_seq: 1,
    },
  ]);
  const events: Record<string, unknown>[] = [];
  const job = { kind: 'job_end', model: 'flux1-dev', outcome: 'ok', images: 2, width: 1024, height: 1024, batch: 2 };
  [10, 20, 30, 40].forEach((s, i) => events.push(ev('tenant-a', 'a-host-1', hourMs + s * 1000, i, { ...job, job_id: `a-${i}`, duration_s: s })));
  events.push(
    ev('tenant-a', 'a-host-1', hourMs + 300_000, 10, {
      kind: 'oom',
      cause: 'batch',
      cause_rule: 'batch_gt_1_scales',
      requested_bytes: 2 * GiB,
      total_bytes: 24 * GiB,
      free_bytes: GiB,
      allocated_bytes: 21 * GiB,
      reserved_unallocated_bytes: 0,
      recovered: 0,
    }),
  );
  events.push(ev('tenant-a', 'a-host-1', hourMs + 300_000, 11, { ...job, job_id: 'a-oom', outcome: 'oom', images: 0, batch: 4, duration_s: 3 }));
  events.push(ev('tenant-a', 'a-host-1', hourMs + 5_000, 12, { kind: 'model_load', model: 'flux1-dev', source: 'disk', duration_s: 20 }));
  events.push(
    ev('tenant-b', 'b-secret-host', hourMs + 60_000, 0, {
      kind: 'job_end',
      model: 'B-SECRET-MODEL',
      outcome: 'ok',
      images: 9,
      width: 512,
      height: 512,
      duration_s: 1,
      job_id: 'B-SECRET-JOB',
    }),
  );
  events.push(ev('tenant-b', 'b-secret-host', hourMs + 61_000, 1, { kind: 'oom', cause: 'resolution', cause_rule: 'B-SECRET-RULE', total_bytes: 80 * GiB }));
  // Tenant B's start, versions and model hash: the starts/cost/versions routes must never show them to A.
  events.push(
    ev('tenant-b', 'b-secret-host', hourMs + 62_000, 2, { kind: 'runtime_start', cold: 1, version: 'B-SECRET-VERSION', extensions: ['B-SECRET-NODE'] }),
  );
  events.push(ev('tenant-b', 'b-secret-host', hourMs + 90_000, 3, { kind: 'runtime_ready', startup_s: 28 }));
  events.push(
    ev('tenant-b', 'b-secret-host', hourMs + 95_000, 4, { kind: 'model_load', model: 'B-SECRET-MODEL', model_hash: 'B-SECRET-HASH', source: 'disk' }),
  );
  await storage.insert('runtime_events', events);
  await storage.insert('hosts', [
    {
      tenant: 'tenant-a',
      host: 'a-host-1',
      agent_id: 'a',
      driver_version: '550',
      cuda_version: '12',
      agent_version: '0.1',
      labels_keys: [],
      labels_values: [],
      last_seen: splitTs(nowMs).ts,
    },
    {
      tenant: 'tenant-b',
      host: 'b-secret-host',
      agent_id: 'b',
      driver_version: '550',
      cuda_version: '12',
      agent_version: '0.1',
      labels_keys: [],
      labels_values: [],
      last_seen: splitTs(nowMs).ts,
    },
  ]);
  return { hourMs };
}
