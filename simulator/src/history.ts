// The demo's history, one host and one time chunk at a time: GPU and host samples at a coarse
// interval (each carries the interval it stands for, so GPU-hours and energy stay right) and the
// runtime events in between at their own millisecond. Pure and deterministic (seed, host, chunk):
// chunks can be generated in any order, so the demo fills the most recent hours first.
import type { GpuSnapshot, HostSnapshotLike, TimedEvent } from '@renderwatch/agent';
import { classifyWindow } from '@renderwatch/agent/harness';
import { CLOCK_EVENT_REASON_BITS, decodeClockEventReasons, type OomCause } from '@renderwatch/schema';
import { storyAt, type DemoHostSpec } from './demo-fleet.js';
import { campaignTimeline } from './history-campaigns.js';
import { oomEvent } from './history-ooms.js';
import { createRng } from './rng.js';
import { busyShare, caseStep, gpuTempStep, heatShare, hotCaseAfter, THROTTLE_C, THROTTLED_CLOCK } from './thermal.js';
import type { Workload } from './workloads.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const H = 3600_000;
const SESSION_MS = 30 * 60_000;

export interface HistorySample {
  gpus: GpuSnapshot[];
  host: HostSnapshotLike;
}

export interface HistoryChunk {
  samples: HistorySample[];
  events: TimedEvent[];
}

export interface ChunkRequest {
  spec: DemoHostSpec;
  /** End of the whole history (the story's "now"). */
  endMs: number;
  fromMs: number;
  toMs: number;
  sampleIntervalMs: number;
  seed: number;
}

interface BusySpan {
  from: number;
  to: number;
  vram: number;
}

function hash32(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

function uuidFor(host: string, i: number): string {
  const hex = hash32(`${host}/${i}`).toString(16).padStart(8, '0');
  return `GPU-${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-8${hex.slice(5, 8)}-${hex}${i.toString(16).padStart(4, '0')}`;
}

const hoursAgo = (endMs: number, t: number): number => (endMs - t) / H;

const secs = (ms: number): number => Math.round(ms / 10) / 100;

/** Ready, then the first prompt after it (an SDXL image on GPU 0) and its first_image event, as the agent reports them. */
function readyAndFirstImage(spec: DemoHostSpec, t: number, cold: boolean, verdict: { cold: 'cold' | 'warm' | 'unknown'; rule: string }): TimedEvent[] {
  const sr = createRng(hash32(`${spec.hostname}/startup/${t}`));
  const startup = Math.round((cold ? 150 + sr() * 240 : 25 + sr() * 60) * 10) / 10;
  const ready = t + startup * 1000;
  const label = { cold: verdict.cold, cold_rule: verdict.rule };
  const queued = ready + (5 + sr() * 40) * 1000;
  const run = Math.round(((3 / spec.speed) * (0.9 + sr() * 0.25) + (cold ? 4 + sr() * 8 : 0.5)) * 100) / 100;
  const done = Math.round(queued + run * 1000);
  const id = `${spec.hostname}-first-${Math.floor(t / 1000)}`;
  const runtime = spec.runtime;
  return [
    {
      ts_unix_ms: Math.round(ready),
      event: { kind: 'runtime_ready', runtime, startup_s: startup, url: 'http://127.0.0.1:8188', start_to_ready_s: startup, ...label },
    },
    { ts_unix_ms: Math.round(queued), gpu_index: 0, event: { kind: 'job_start', runtime, job_id: id } },
    {
      ts_unix_ms: done,
      gpu_index: 0,
      event: {
        kind: 'job_end',
        runtime,
        job_id: id,
        duration_s: run,
        outcome: 'ok',
        images: 1,
        width: 1024,
        height: 1024,
        steps: 30,
        batch: 1,
        model: 'sd_xl_base_1.0.safetensors',
        queued_to_image_s: run,
        ...label,
      },
    },
    {
      ts_unix_ms: done,
      event: {
        kind: 'first_image',
        runtime,
        job_id: id,
        start_to_first_image_s: secs(done - t),
        start_to_ready_s: startup,
        ready_to_first_image_s: secs(done - ready),
        queued_to_image_s: run,
        ...label,
      },
    },
  ];
}

/** Runtime (re)starts in [from, to): about one warm restart a day, a cold one after the weekly reboot, and every upgrade. */
function starts(r: ChunkRequest): TimedEvent[] {
  const { spec, endMs } = r;
  const s = spec.story;
  const times: { t: number; crash: boolean; cold: boolean }[] = [];
  const day0 = Math.floor(r.fromMs / (24 * H)) * 24 * H;
  // every start whose start or ready falls in the chunk (a ready may cross a chunk boundary)
  const inChunk = (t: number): boolean => t >= r.fromMs - H && t < r.toMs;
  for (let d = day0 - 24 * H; d < r.toMs; d += 24 * H) {
    const dr = createRng(hash32(`${spec.hostname}/starts/${d}/${r.seed}`));
    const t = d + (5 + dr() * 3) * H; // before the working day
    const cold = Math.floor(d / (24 * H) + hash32(spec.hostname)) % 7 === 0; // the weekly reboot: caches empty
    if (dr() < 0.85 && inChunk(t)) times.push({ t, crash: false, cold });
  }
  for (const u of s.upgrades ?? []) {
    const t = endMs - u.hoursAgo * H;
    if (inChunk(t)) {
      if (u.firstStartCrashes === true) times.push({ t, crash: true, cold: true });
      times.push({ t: t + (u.firstStartCrashes === true ? 6 * 60_000 : 0), crash: false, cold: false });
    }
  }
  const out: TimedEvent[] = [];
  for (const st of times.sort((a, b) => a.t - b.t)) {
    const state = storyAt(s, hoursAgo(endMs, st.t) + 1e-9);
    // the agent's own cold/warm rule table (agent/src/signals/cold-warm.ts) on what this start loaded:
    // after a reboot the checkpoint comes off disk, otherwise from the page cache
    const verdict = classifyWindow({ startSeen: true, downloads: 0, loads: [st.cold ? 'disk' : 'cache'], loadedBefore: false });
    out.push({
      ts_unix_ms: st.t,
      cold: verdict.cold === 'cold',
      event: { kind: 'runtime_start', runtime: spec.runtime, version: state.version, extensions: [...state.extensions] },
    });
    if (st.crash) {
      out.push({
        ts_unix_ms: st.t + 40_000,
        event: { kind: 'error', runtime: spec.runtime, error_type: 'ImportError', message: 'custom node failed to import' },
      });
      continue;
    }
    out.push(...readyAndFirstImage(spec, st.t, st.cold, verdict));
  }
  return out;
}

function duty(s: DemoHostSpec['story'], t: number): number {
  const hour = new Date(t).getUTCHours();
  return hour >= 8 && hour < 20 ? s.dayDuty : s.nightDuty;
}

/** One host's chunk of history. */
export function generateChunk(r: ChunkRequest): HistoryChunk {
  const { spec, endMs } = r;
  const s = spec.story;
  const rng = createRng(hash32(`${spec.hostname}/${r.fromMs}/${r.seed}`));
  const events = starts(r);
  const total = spec.profile.memory_total_bytes;
  const after = (h: number | undefined, t: number): boolean => h !== undefined && t >= endMs - h * H;
  const stormFrom = s.oomStorm === undefined ? Infinity : endMs - s.oomStorm[0] * H;
  const stormTo = s.oomStorm === undefined ? -Infinity : stormFrom + s.oomStorm[1] * 60_000;
  const spans: BusySpan[][] = [];
  let jobN = 0;
  // The noisy neighbour's first job of each chunk runs out of memory for it, so the story's
  // other_process OOM is there whatever the duty draws (a 3% chance alone can miss a short window).
  let noisyOomShown = false;
  for (let gi = 0; gi < spec.gpuCount; gi++) {
    const mine: BusySpan[] = [];
    let resident: string | undefined;
    let t = r.fromMs + rng() * 60_000;
    if (gi === s.campaignGpu && s.campaigns !== undefined) {
      for (const c of s.campaigns) {
        const tl = campaignTimeline(spec.hostname, spec.runtime, gi, spec.speed, endMs, c, (x) => storyAt(s, hoursAgo(endMs, x)));
        events.push(...tl.events);
        mine.push(...tl.spans.filter((sp) => sp.to > r.fromMs - H && sp.from < r.toMs));
      }
      mine.sort((a, b) => a.from - b.from);
      spans.push(mine);
      continue;
    }
    // the storm is one user's queue on GPU 0
    const stormAt = (x: number): boolean => gi === 0 && x >= stormFrom && x < stormTo;
    while (t < r.toMs) {
      // Work comes in half-hour sessions: a GPU is in one with the hour's duty probability (per host,
      // GPU and block, so every chunk agrees), and idles to the next block otherwise. While an upgrade
      // has broken the runtime, the queue's retries keep every GPU busy failing (the story's fast burn
      // must not hang on which half-hours the duty drew).
      const block = Math.floor(t / SESSION_MS);
      const broken = storyAt(s, hoursAgo(endMs, t)).errorRatio > 0;
      if (!stormAt(t) && !broken && createRng(hash32(`${spec.hostname}/${gi}/${block}/${r.seed}`))() > duty(s, t)) {
        t = (block + 1) * SESSION_MS + rng() * 60_000;
        continue;
      }
      const w: Workload = spec.workloads[Math.floor(rng() * spec.workloads.length)] ?? (spec.workloads[0] as Workload);
      const ago = hoursAgo(endMs, t);
      const state = storyAt(s, ago);
      const storm = stormAt(t);
      const batch = storm ? 8 : 1 + Math.floor(rng() * (w.family === 'sdxl' ? 4 : w.max_batch));
      const repeat = w.family === 'wan' || storm ? 1 : 1 + Math.floor(rng() * s.repeatMax);
      const id = `${spec.hostname}-h${Math.floor(r.fromMs / 60_000)}-${++jobN}`;
      events.push({ ts_unix_ms: Math.round(t), gpu_index: gi, event: { kind: 'job_start', runtime: spec.runtime, job_id: id } });
      let loadS = 0;
      if (resident !== w.model) {
        const slow = after(s.slowDownloadsHoursAgo, t);
        const fromDisk = slow || resident === undefined || rng() < 0.15;
        // the local model cache is gone: every model is fetched again from Hugging Face, crawling at ~25 MB/s
        const dlS = slow ? w.base_bytes / ((22 + rng() * 6) * MiB) : 0;
        if (slow) {
          events.push({
            ts_unix_ms: Math.round(t + dlS * 1000),
            gpu_index: gi,
            event: {
              kind: 'model_download',
              runtime: spec.runtime,
              model: w.model,
              bytes: Math.round(w.base_bytes),
              duration_s: Math.round(dlS * 10) / 10,
              bytes_per_s: Math.round(w.base_bytes / dlS),
              source: 'hf',
            },
          });
        }
        loadS = dlS + (fromDisk ? 6 + rng() * 20 : 1 + rng() * 3);
        events.push({
          ts_unix_ms: Math.round(t + dlS * 1000),
          gpu_index: gi,
          event: {
            kind: 'model_load',
            runtime: spec.runtime,
            model: w.model,
            model_hash: state.hashes[w.model],
            source: fromDisk ? 'disk' : 'cache',
            duration_s: Math.round((loadS - dlS) * 100) / 100,
            loaded_mb: Math.round(w.base_bytes / MiB),
            mode: 'full',
          },
        });
        resident = w.model;
      }
      const hot = after(s.coolingFailedHoursAgo, t);
      const noisy = gi === 0 && after(s.noisyNeighbourHoursAgo, t);
      const swap = (s.modelSwaps ?? []).find((m) => m.model === w.model && after(m.hoursAgo, t));
      let perImage = (w.seconds_per_image / spec.speed) * (0.9 + rng() * 0.25);
      // a throttled card runs at its throttled clock (0.72 of max, as its samples say)
      if (hot) perImage /= 0.72;
      if (noisy) perImage *= 1.5;
      if (swap !== undefined) perImage *= swap.durationFactor;
      let outcome: 'ok' | 'oom' | 'error' = 'ok';
      let cause: OomCause | undefined;
      const need = w.base_bytes + (batch - 1) * w.per_batch_bytes;
      if (storm) cause = rng() < 0.5 ? 'batch' : 'resolution';
      else if (need > total * 0.97) cause = loadS > 0 ? 'model_too_large' : 'batch';
      else if (noisy && (!noisyOomShown || rng() < 0.03)) {
        cause = 'other_process';
        noisyOomShown = true;
      } else if (rng() < s.oomRate) cause = (['addons', 'fragmentation', 'unknown', 'resolution', 'model_too_large', 'batch'] as const)[Math.floor(rng() * 6)];
      if (cause !== undefined) outcome = 'oom';
      else if (rng() < state.errorRatio) outcome = 'error';
      const runS = outcome === 'ok' ? perImage * batch * repeat : 2 + rng() * 4;
      const end = t + (loadS + runS) * 1000;
      if (cause !== undefined) events.push({ ts_unix_ms: Math.round(end), gpu_index: gi, event: oomEvent(spec.runtime, cause, total, gi) });
      if (outcome === 'error') {
        events.push({
          ts_unix_ms: Math.round(end),
          gpu_index: gi,
          event: { kind: 'error', runtime: spec.runtime, error_type: 'NodeNotFound', message: 'node type not found' },
        });
      }
      events.push({
        ts_unix_ms: Math.round(end),
        gpu_index: gi,
        event: {
          kind: 'job_end',
          runtime: spec.runtime,
          job_id: id,
          duration_s: Math.round((end - t) / 10) / 100,
          outcome,
          images: outcome === 'ok' ? batch * repeat : 0,
          width: storm ? 1536 : w.width,
          height: storm ? 1536 : w.height,
          steps: w.steps,
          batch,
          model: w.model,
        },
      });
      mine.push({ from: t, to: end, vram: Math.min(total, need) });
      t = end + (s.gapS[0] + rng() * (s.gapS[1] - s.gapS[0])) * 1000;
    }
    spans.push(mine);
  }
  return { samples: samples(r, spans, rng), events: events.filter((e) => e.ts_unix_ms >= r.fromMs && e.ts_unix_ms < r.toMs) };
}

function samples(r: ChunkRequest, spans: BusySpan[][], rng: () => number): HistorySample[] {
  const { spec, endMs } = r;
  const s = spec.story;
  const p = spec.profile;
  const out: HistorySample[] = [];
  const after = (h: number | undefined, t: number): boolean => h !== undefined && t >= endMs - h * H;
  const temps = spans.map(() => 40);
  // a chunk that starts after the cooling failed continues a case that has been heating since then
  const failedAt = s.coolingFailedHoursAgo === undefined ? Infinity : endMs - s.coolingFailedHoursAgo * H;
  const cases = spans.map(() => (r.fromMs > failedAt ? hotCaseAfter((r.fromMs - failedAt) / 1000) : 3));
  const energy = spans.map((_, i) => 4e9 + (r.fromMs / 1000) * 120 + i * 1e7);
  const cursor = spans.map(() => 0);
  const slowed = spans.map(() => false);
  const dtS = r.sampleIntervalMs / 1000;
  for (let t = r.fromMs; t < r.toMs; t += r.sampleIntervalMs) {
    const winFrom = t - r.sampleIntervalMs;
    const hot = after(s.coolingFailedHoursAgo, t);
    const gpus: GpuSnapshot[] = spans.map((mine, gi) => {
      const b = busyShare(mine, cursor, gi, winFrom, t);
      const noisy = gi === 0 && after(s.noisyNeighbourHoursAgo, t);
      const util = Math.min(1, b.share * (0.9 + rng() * 0.08) + (noisy ? 0.35 : 0));
      cases[gi] = caseStep(cases[gi] ?? 3, util, hot, dtS);
      temps[gi] = gpuTempStep(temps[gi] ?? 40, p.load_celsius, cases[gi] ?? 3, heatShare(util, slowed[gi] === true), dtS);
      const temp = temps[gi] ?? 40;
      // diffusion keeps the SMs busy: a card busy all minute sits at its power limit (575 W on a 5090)
      let power = p.idle_watts + (p.power_limit_watts - p.idle_watts) * util * (1.05 + rng() * 0.1);
      let mask = util < 0.05 ? CLOCK_EVENT_REASON_BITS.gpu_idle : 0;
      let clock = util < 0.05 ? 0.1 : 1;
      if (power >= p.power_limit_watts * 0.98) {
        power = p.power_limit_watts;
        mask |= CLOCK_EVENT_REASON_BITS.sw_power_cap;
        clock = 0.95;
      }
      slowed[gi] = temp >= THROTTLE_C && util > 0.1;
      if (slowed[gi]) {
        mask |= CLOCK_EVENT_REASON_BITS.sw_thermal_slowdown;
        clock = THROTTLED_CLOCK;
      }
      energy[gi] = (energy[gi] ?? 0) + power * dtS;
      const used = Math.min(p.memory_total_bytes, 450 * MiB + Math.max(b.vram, 2 * GiB) + (noisy ? 9 * GiB : 0));
      return {
        ts_unix_ms: t,
        index: gi,
        uuid: uuidFor(spec.hostname, gi),
        name: p.name,
        driver_version: spec.driverVersion,
        utilization_gpu_ratio: Math.round(util * 100) / 100,
        memory_used_bytes: Math.round(used / MiB) * MiB,
        memory_total_bytes: p.memory_total_bytes,
        temperature_celsius: Math.round(temp),
        power_draw_watts: Math.round(power * 100) / 100,
        power_limit_watts: p.power_limit_watts,
        energy_joules: Math.round(energy[gi] ?? 0),
        sm_clock_mhz: Math.round(p.sm_clock_max_mhz * clock),
        sm_clock_max_mhz: p.sm_clock_max_mhz,
        memory_clock_mhz: p.memory_clock_mhz,
        fan_ratio: Math.min(1, Math.max(0.3, (temp - 30) / 55)),
        clock_event_reasons_mask: mask,
        clock_event_reasons: decodeClockEventReasons(mask),
        mig_enabled: false,
        processes: noisy ? [{ pid: 31337, name: 'blender', used_memory_bytes: 9 * GiB }] : [],
      };
    });
    const busy = gpus.reduce((a, g) => a + (g.utilization_gpu_ratio ?? 0), 0);
    const slow = after(s.slowDownloadsHoursAgo, t);
    out.push({
      gpus,
      host: {
        ts_unix_ms: t,
        cpu_ratio: Math.min(1, 0.05 + 0.08 * busy + rng() * 0.05),
        memory_used_bytes: Math.round((24 + 6 * busy) * GiB),
        memory_total_bytes: 256 * GiB,
        swap_used_bytes: 0,
        swap_total_bytes: 8 * GiB,
        volumes: [
          { mount: '/models', role: 'model', size_bytes: 2 * 1024 * GiB, free_bytes: Math.round(0.35 * 2 * 1024 * GiB) },
          { mount: '/outputs', role: 'output', size_bytes: 1024 * GiB, free_bytes: Math.round((0.62 - ((t / H) % 168) / 2000) * 1024 * GiB) },
        ],
        disk_read_bytes_per_s: Math.round((slow ? 6 : 20 + rng() * 60) * MiB),
        disk_write_bytes_per_s: Math.round(rng() * 10 * MiB),
        net_rx_bytes_per_s: Math.round((slow ? 7 + rng() * 2 : 30 + rng() * 60) * MiB),
        net_tx_bytes_per_s: Math.round(rng() * 2 * MiB),
      },
    });
  }
  return out;
}
