// Seeds two tenants for the starts, cost and versions routes straight into the raw tables (the
// materialized views fill the rollups). The answers are worked out in api-starts-cost-versions.int.test.ts.
import type { Storage } from '../src/storage/clickhouse.js';
import { splitTs } from '../src/domain/time.js';

// What the agent sends beside each reading (agent/src/export/gpu-increments.ts), sampling once a
// minute: the interval (60 s, also on the first sample) and the counter's increase since the GPU's
// previous reading (the new reading after a reset; none on the first).
const previous = new Map<string, number | null>();
function increments(uuid: string, energy: number | null): { interval_ms: number; energy_delta_joules: number | null } {
  const prev = previous.get(uuid);
  previous.set(uuid, energy);
  const delta = prev === undefined || prev === null || energy === null ? null : energy >= prev ? energy - prev : energy;
  return { interval_ms: 60_000, energy_delta_joules: delta };
}

function sample(tenant: string, host: string, uuid: string, index: number, name: string, ms: number, energy: number | null): Record<string, unknown> {
  return {
    tenant,
    host,
    agent_id: `${host}-agent`,
    ...splitTs(ms),
    gpu_index: index,
    gpu_uuid: uuid,
    gpu_name: name,
    util_ratio: 0.5,
    energy_joules: energy,
    ...increments(uuid, energy),
    mig_enabled: 0,
    process_pids: [],
    process_names: [],
    process_runtimes: [],
    process_mem_bytes: [],
    batch_seq: 1,
  };
}

let seq = 0;
function ev(tenant: string, host: string, runtime: string, ms: number, f: Record<string, unknown>): Record<string, unknown> {
  return { tenant, host, agent_id: `${host}-agent`, ...splitTs(ms), batch_seq: 1, seq: seq++, runtime, extensions: [], ...f };
}

/** `hourMs`: start of the seeded two hours (three hours before the current one). */
export async function seedStartsCostVersions(storage: Storage, nowMs: number): Promise<{ hourMs: number }> {
  const H = Math.floor(nowMs / 3600_000) * 3600_000 - 3 * 3600_000;
  const s = (sec: number): number => H + sec * 1000;
  const gpus: Record<string, unknown>[] = [];
  for (let m = 0; m < 120; m++) {
    // H100: +3600 J a minute from 1e6 J, reset to 500 J at minute 90.
    gpus.push(sample('tenant-a', 'a-1', 'a-1-gpu0', 0, 'NVIDIA H100 80GB HBM3', s(m * 60), m < 90 ? 1e6 + 3600 * m : 500 + 3600 * (m - 90)));
    if (m < 60) gpus.push(sample('tenant-a', 'a-1', 'a-1-gpu1', 1, 'NVIDIA L4', s(m * 60), 1000 * m));
    if (m < 30) gpus.push(sample('tenant-a', 'a-2', 'a-2-gpu0', 0, 'NVIDIA A10', s(m * 60), null));
    gpus.push(sample('tenant-b', 'b-secret-host', 'B-SECRET-GPU', 0, 'B-SECRET-GPU-MODEL', s(m * 60), 5e9 + 1e6 * m));
  }
  await storage.insert('gpu_samples', gpus);
  const events: Record<string, unknown>[] = [];
  const start = (host: string, runtime: string, sec: number, cold: number | null, version: string, extensions: string[]): void => {
    events.push(ev('tenant-a', host, runtime, s(sec), { kind: 'runtime_start', cold, version, extensions }));
  };
  const ready = (host: string, runtime: string, sec: number, startup?: number): void => {
    events.push(ev('tenant-a', host, runtime, s(sec), { kind: 'runtime_ready', startup_s: startup ?? null }));
  };
  start('a-1', 'comfyui', -2 * 86400, 1, 'v0.3.9', ['B', 'A']);
  start('a-1', 'comfyui', 0, 1, 'v0.3.10', ['A', 'B']);
  ready('a-1', 'comfyui', 40);
  start('a-1', 'comfyui', 600, 1, 'v0.3.10', ['B', 'A']);
  ready('a-1', 'comfyui', 670, 55);
  start('a-1', 'comfyui', 1200, 0, 'v0.3.10', ['A', 'B', 'C']);
  ready('a-1', 'comfyui', 1206);
  start('a-1', 'comfyui', 1800, null, 'v0.3.10', ['A', 'C']);
  ready('a-1', 'comfyui', 1808);
  start('a-1', 'comfyui', 2400, 0, 'v0.3.10', ['A', 'C']);
  start('a-1', 'comfyui', 2500, 0, 'v0.3.11', ['C', 'A']);
  ready('a-1', 'comfyui', 2510);
  start('a-2', 'forge', 100, 1, 'f1.0', ['x']);
  ready('a-2', 'forge', 130);
  start('a-2', 'forge', 200, 0, 'f1.0', ['x']);
  ready('a-2', 'forge', 204);
  const load = (host: string, sec: number, hash: string): void => {
    events.push(ev('tenant-a', host, 'comfyui', s(sec), { kind: 'model_load', model: 'flux1-dev', model_hash: hash, source: 'disk', gpu_index: 0 }));
  };
  load('a-1', 50, 'aaa');
  load('a-1', 700, 'aaa');
  load('a-1', 3000, 'bbb');
  load('a-2', 60, '');
  const job = (host: string, sec: number, gpu: number | null, images: number): void => {
    events.push(
      ev('tenant-a', host, 'comfyui', s(sec), { kind: 'job_end', job_id: `j${seq}`, outcome: 'ok', model: 'flux1-dev', duration_s: 5, images, gpu_index: gpu }),
    );
  };
  for (const sec of [300, 900, 4000, 5000]) job('a-1', sec, 0, 2);
  for (const sec of [320, 920]) job('a-1', sec, 1, 5);
  job('a-1', 1000, null, 3);
  job('a-2', 400, null, 1);
  // Tenant B: a cold start of 999 s, a version, an extension and a model hash that must never reach A.
  events.push(
    ev('tenant-b', 'b-secret-host', 'comfyui', s(10), { kind: 'runtime_start', cold: 1, version: 'B-SECRET-VERSION', extensions: ['B-SECRET-NODE'] }),
  );
  events.push(ev('tenant-b', 'b-secret-host', 'comfyui', s(1009), { kind: 'runtime_ready' }));
  events.push(
    ev('tenant-b', 'b-secret-host', 'comfyui', s(1100), {
      kind: 'model_load',
      model: 'B-SECRET-MODEL',
      model_hash: 'B-SECRET-HASH',
      source: 'disk',
      gpu_index: 0,
    }),
  );
  events.push(ev('tenant-b', 'b-secret-host', 'comfyui', s(1200), { kind: 'job_end', job_id: 'B-SECRET-JOB', outcome: 'ok', images: 7, gpu_index: 0 }));
  await storage.insert('runtime_events', events);
  return { hourMs: H };
}
