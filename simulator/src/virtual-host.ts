// One simulated GPU host: a pure state machine stepped by the caller's clock. Temperatures follow
// load with thermal inertia, jobs of SDXL/Flux/Wan come and go, VRAM follows the job, and now and
// then a job OOMs or a badly cooled card throttles.
import type { GpuSnapshot, HostSnapshotLike, TimedEvent } from '@renderwatch/agent';
import { CLOCK_EVENT_REASON_BITS, decodeClockEventReasons, type RuntimeName } from '@renderwatch/schema';
import type { GpuProfile } from './gpu-profiles.js';
import { checkpointLoad, createStartLabeller, readSeconds } from './start-evidence.js';
import { AMBIENT_C, caseStep, gpuTempStep, heatShare, THROTTLE_C, THROTTLED_CLOCK } from './thermal.js';
import type { Workload } from './workloads.js';

export interface VirtualHostSpec {
  hostname: string;
  profile: GpuProfile;
  gpuCount: number;
  runtime: RuntimeName;
  /** Poor cooling: this host's GPUs run hotter and throttle under sustained load. */
  hot: boolean;
  /** Relative speed vs an H100 (1 = as fast). */
  speed: number;
  workloads: readonly Workload[];
  driverVersion: string;
  /** Runtime version and extensions its start reports (default ComfyUI 0.3.56 with the Manager). */
  runtimeVersion?: string;
  extensions?: readonly string[];
  /** model file → hash reported with each load. */
  modelHashes?: Readonly<Record<string, string>>;
  /** Share of jobs that fail with a runtime error (a broken custom node). */
  errorRatio?: number;
  /** Case air above ambient at the start, °C (a case that has been under load for hours). */
  caseC0?: number;
  /** Seconds a GPU idles between jobs (default 2–27). */
  idleS?: readonly [number, number];
  /** Chance that a job OOMs for no size reason (default 1%). */
  oomRatio?: number;
  /** Host label `group` (default rack-b for hot hosts, else rack-a). */
  group?: string;
}

interface Job {
  id: string;
  workload: Workload;
  batch: number;
  startedMs: number;
  endsMs: number;
  willOom: boolean;
  willFail: boolean;
}

interface GpuState {
  index: number;
  uuid: string;
  temp: number;
  /** Case air above ambient, °C (heats over an hour under load; a badly cooled case much more). */
  caseC: number;
  /** The driver slowed it for heat at the last sample (it heats less until it cools under the slowdown point). */
  slowed?: boolean;
  util: number;
  job: Job | undefined;
  resident: string | undefined;
  idleUntilMs: number;
  /** The NVML energy counter (joules since the driver loaded): power × time, tick by tick. */
  energyJ: number;
}

export interface HostTick {
  gpus: GpuSnapshot[];
  host: HostSnapshotLike;
  events: TimedEvent[];
}

export interface VirtualHost {
  readonly spec: VirtualHostSpec;
  step(nowMs: number): HostTick;
}

const MiB = 1024 * 1024;

function uuidFor(host: string, i: number): string {
  let h = 2166136261;
  for (const c of `${host}/${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `GPU-${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-8${hex.slice(5, 8)}-${hex}${i.toString(16).padStart(4, '0')}`;
}

export function createVirtualHost(spec: VirtualHostSpec, rng: () => number, startMs: number): VirtualHost {
  let lastMs = startMs;
  let jobCounter = 0;
  // A third of the fleet starts with an empty page cache (after a reboot): weights are read at disk
  // speed and start-up is slower. The agent's rules label the start from the loads (start-evidence.ts).
  const pageCacheCold = rng() < 0.33;
  const startupS = pageCacheCold ? 120 + rng() * 240 : 20 + rng() * 70;
  const label = createStartLabeller();
  const preloaded = spec.workloads[0];
  const readyAt = startMs + startupS * 1000;
  let announcedStart = false;
  let announcedReady = false;
  const gpus: GpuState[] = Array.from({ length: spec.gpuCount }, (_, i) => ({
    index: i,
    uuid: uuidFor(spec.hostname, i),
    temp: AMBIENT_C + rng() * 6,
    caseC: spec.caseC0 ?? 0,
    util: 0,
    job: undefined,
    resident: undefined,
    idleUntilMs: readyAt + rng() * 20_000,
    energyJ: 5e8 + i * 1e7,
  }));

  function startJob(g: GpuState, now: number, events: TimedEvent[]): void {
    const w = spec.workloads[Math.floor(rng() * spec.workloads.length)] ?? spec.workloads[0];
    if (w === undefined) return;
    const batch = 1 + Math.floor(rng() * w.max_batch);
    const need = w.base_bytes + (batch - 1) * w.per_batch_bytes;
    const willOom = need > spec.profile.memory_total_bytes * 0.97 || rng() < (spec.oomRatio ?? 0.01);
    const willFail = !willOom && rng() < (spec.errorRatio ?? 0);
    const seconds = (w.seconds_per_image * batch) / spec.speed;
    const id = `${spec.hostname}-${++jobCounter}`;
    g.job = { id, workload: w, batch, startedMs: now, endsMs: now + (willOom || willFail ? Math.min(seconds, 4) : seconds) * 1000, willOom, willFail };
    events.push({ ts_unix_ms: now, gpu_index: g.index, event: { kind: 'job_start', runtime: spec.runtime, job_id: id } });
    if (g.resident !== w.model) {
      const fromDisk = g.resident === undefined && w.model !== preloaded?.model;
      events.push({
        ts_unix_ms: now,
        gpu_index: g.index,
        event: {
          kind: 'model_load',
          runtime: spec.runtime,
          model: w.model,
          model_hash: spec.modelHashes?.[w.model],
          source: fromDisk ? 'disk' : 'cache',
          duration_s: fromDisk ? readSeconds(w.base_bytes, !pageCacheCold, rng()) : Math.round((1 + rng() * 3) * 100) / 100,
          loaded_mb: Math.round(w.base_bytes / MiB),
          mode: 'full',
        },
      });
      g.resident = w.model;
    } else {
      events.push({
        ts_unix_ms: now,
        gpu_index: g.index,
        event: { kind: 'model_load', runtime: spec.runtime, model: w.model, model_hash: spec.modelHashes?.[w.model], source: 'resident', duration_s: 0 },
      });
    }
  }

  function endJob(g: GpuState, job: Job, now: number, events: TimedEvent[]): void {
    const w = job.workload;
    const duration = Math.round(((now - job.startedMs) / 1000) * 100) / 100;
    if (job.willOom) {
      const total = spec.profile.memory_total_bytes;
      const requested = Math.round(w.per_batch_bytes > 0 ? w.per_batch_bytes : w.base_bytes / 4);
      const allocated = Math.round(total * 0.9);
      events.push({
        ts_unix_ms: now,
        gpu_index: g.index,
        event: {
          kind: 'oom',
          runtime: spec.runtime,
          requested_bytes: requested,
          total_bytes: total,
          free_bytes: Math.max(0, total - allocated - 300 * MiB),
          allocated_bytes: allocated,
          reserved_unallocated_bytes: 120 * MiB,
          device: `cuda:${g.index}`,
          recovered: false,
          cause: job.batch > 1 ? 'batch' : 'resolution',
          cause_rule: job.batch > 1 ? 'batch_gt_1_scales' : 'pixels_beyond_tier',
        },
      });
    }
    if (job.willFail) {
      events.push({
        ts_unix_ms: now,
        gpu_index: g.index,
        event: { kind: 'error', runtime: spec.runtime, error_type: 'NodeNotFound', message: 'node type not found' },
      });
    }
    events.push({
      ts_unix_ms: now,
      gpu_index: g.index,
      event: {
        kind: 'job_end',
        runtime: spec.runtime,
        job_id: job.id,
        duration_s: duration,
        outcome: job.willOom ? 'oom' : job.willFail ? 'error' : 'ok',
        images: job.willOom || job.willFail ? 0 : job.batch,
        width: w.width,
        height: w.height,
        steps: w.steps,
        batch: job.batch,
        model: w.model,
      },
    });
    g.job = undefined;
    g.idleUntilMs = now + ((spec.idleS?.[0] ?? 2) + rng() * ((spec.idleS?.[1] ?? 27) - (spec.idleS?.[0] ?? 2))) * 1000;
  }

  return {
    spec,
    step(now) {
      const dtS = Math.max(0, (now - lastMs) / 1000);
      lastMs = now;
      const events: TimedEvent[] = [];
      if (!announcedStart) {
        announcedStart = true;
        events.push({
          ts_unix_ms: startMs,
          event: {
            kind: 'runtime_start',
            runtime: spec.runtime,
            version: spec.runtimeVersion ?? '0.3.56',
            extensions: [...(spec.extensions ?? ['ComfyUI-Manager'])],
          },
        });
      }
      if (!announcedReady && now >= readyAt) {
        announcedReady = true;
        if (preloaded !== undefined) events.push(checkpointLoad(spec.runtime, preloaded.model, preloaded.base_bytes, !pageCacheCold, readyAt - 1000, rng()));
        events.push({
          ts_unix_ms: readyAt,
          event: { kind: 'runtime_ready', runtime: spec.runtime, startup_s: Math.round(startupS * 10) / 10, url: 'http://127.0.0.1:8188' },
        });
      }
      const snapshots: GpuSnapshot[] = gpus.map((g) => {
        if (g.job !== undefined && now >= g.job.endsMs) endJob(g, g.job, now, events);
        if (g.job === undefined && announcedReady && now >= g.idleUntilMs) startJob(g, now, events);
        const busy = g.job !== undefined;
        g.util = busy ? 0.88 + rng() * 0.12 : rng() * 0.03;
        g.caseC = caseStep(g.caseC, g.util, spec.hot, dtS);
        g.temp = gpuTempStep(g.temp, spec.profile.load_celsius, g.caseC, heatShare(g.util, g.slowed === true), dtS);
        let mask = busy ? 0 : CLOCK_EVENT_REASON_BITS.gpu_idle;
        let clockFactor = busy ? 1 : 0.1;
        let power = spec.profile.idle_watts + (spec.profile.power_limit_watts - spec.profile.idle_watts) * g.util * (0.85 + rng() * 0.17);
        if (power >= spec.profile.power_limit_watts * 0.98) {
          power = spec.profile.power_limit_watts;
          mask |= CLOCK_EVENT_REASON_BITS.sw_power_cap;
          clockFactor = 0.93;
        }
        g.slowed = g.temp >= THROTTLE_C;
        if (g.slowed) {
          mask |= CLOCK_EVENT_REASON_BITS.sw_thermal_slowdown;
          clockFactor = THROTTLED_CLOCK;
        }
        g.energyJ += power * dtS;
        const w = g.job?.workload;
        const jobBytes = w === undefined ? 0 : w.base_bytes + ((g.job?.batch ?? 1) - 1) * w.per_batch_bytes;
        const residentBytes = g.resident === undefined ? 0 : 2 * 1024 ** 3;
        const used = Math.min(spec.profile.memory_total_bytes, 450 * MiB + Math.max(jobBytes, residentBytes));
        return {
          ts_unix_ms: now,
          index: g.index,
          uuid: g.uuid,
          name: spec.profile.name,
          driver_version: spec.driverVersion,
          utilization_gpu_ratio: Math.round(g.util * 100) / 100,
          memory_used_bytes: Math.round(used / MiB) * MiB,
          memory_total_bytes: spec.profile.memory_total_bytes,
          temperature_celsius: Math.round(g.temp),
          power_draw_watts: Math.round(power * 100) / 100,
          power_limit_watts: spec.profile.power_limit_watts,
          energy_joules: Math.round(g.energyJ),
          sm_clock_mhz: Math.round(spec.profile.sm_clock_max_mhz * clockFactor),
          sm_clock_max_mhz: spec.profile.sm_clock_max_mhz,
          memory_clock_mhz: spec.profile.memory_clock_mhz,
          fan_ratio: Math.min(1, Math.max(0.3, (g.temp - 30) / 55)),
          clock_event_reasons_mask: mask,
          clock_event_reasons: decodeClockEventReasons(mask),
          mig_enabled: false,
          processes: busy ? [{ pid: 4242 + g.index, name: 'python3', used_memory_bytes: Math.max(0, used - 450 * MiB) }] : [],
        };
      });
      const busyCount = gpus.filter((g) => g.job !== undefined).length;
      const host: HostSnapshotLike = {
        ts_unix_ms: now,
        cpu_ratio: Math.min(1, 0.05 + 0.1 * busyCount + rng() * 0.05),
        memory_used_bytes: (24 + 6 * busyCount) * 1024 ** 3,
        memory_total_bytes: 256 * 1024 ** 3,
        swap_used_bytes: 0,
        swap_total_bytes: 8 * 1024 ** 3,
        volumes: [
          { mount: '/models', role: 'model', size_bytes: 2 * 1024 ** 4, free_bytes: Math.round((0.35 + rng() * 0.01) * 2 * 1024 ** 4) },
          { mount: '/outputs', role: 'output', size_bytes: 1024 ** 4, free_bytes: Math.round(0.6 * 1024 ** 4) },
        ],
        disk_read_bytes_per_s: Math.round(rng() * 50 * MiB),
        disk_write_bytes_per_s: Math.round(rng() * 10 * MiB),
        net_rx_bytes_per_s: Math.round(rng() * 5 * MiB),
        net_tx_bytes_per_s: Math.round(rng() * 2 * MiB),
      };
      return { gpus: snapshots, host, events: label(events) };
    },
  };
}
