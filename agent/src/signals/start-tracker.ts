// Follows each runtime from runtime_start through ready to its first image and labels starts and
// jobs cold/warm with the rule tables of ./cold-warm.ts (docs/signals.md). Events in, events out:
// runtime_ready gains start_to_ready_s, cold, cold_rule; model_load its evidence-decided source;
// job_end queued_to_image_s, cold, cold_rule; the first job after a start that produced an image is
// followed by a `first_image` event. Loads are classified when a label is decided, with the host
// samples known then. Log events pass through at once (a log follower's offsets are committed behind
// them); only the agent's own `first_image` waits, when host samples are expected, for the host
// sample after it (at most `holdMs`), so the disk and network bytes of its loads are known.
// Pure: time comes in with the calls.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import { eventTime } from '../export/to-wire.js';
import { classifyLoad, classifyWindow, type LoadEvidence, type StartVerdict } from './cold-warm.js';
import { HostHistory, type HostRates } from './host-window.js';

export interface TimedRuntimeEvent {
  readonly event: RuntimeEvent;
  readonly ms: number;
}

export interface StartTrackerOptions {
  /** Host sampling interval; when set, first_image waits for the host sample after it (up to holdMs). */
  readonly hostIntervalMs?: number;
  readonly holdMs?: number;
  /** Whether the file at `path` (or the models volume when path is undefined) is on a remote filesystem; undefined: unknown. */
  readonly remoteVolume?: (path: string | undefined) => boolean | undefined;
}

interface Load {
  readonly endMs: number;
  readonly startMs: number | undefined;
  readonly evidence: LoadEvidence;
}

interface PendingFirstImage {
  readonly ms: number;
  readonly runtime: string;
  readonly end: RuntimeEventOf<'job_end'>;
  readonly state: RuntimeState;
}

interface Job {
  readonly startMs: number;
  readonly queueWaitS: number | undefined;
}

interface RuntimeState {
  startMs: number | undefined;
  readyMs: number | undefined;
  firstImageDone: boolean;
  loads: Load[];
  downloadsMs: number[];
  /** A download finished since the last load (the next load read what it fetched). */
  downloadPending: boolean;
  jobs: Map<string, Job>;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const secs = (a: number, b: number): number => round3(Math.max(0, b - a) / 1000);

/** A job that ended `ok` without an image count is taken as having produced its image (log-only runtimes). */
export function producedImage(e: RuntimeEventOf<'job_end'>): boolean {
  return e.images !== undefined ? e.images > 0 : e.outcome === 'ok';
}

export class StartTracker {
  private readonly runtimes = new Map<string, RuntimeState>();
  private readonly host = new HostHistory();
  private readonly pending: PendingFirstImage[] = [];

  constructor(private readonly opts: StartTrackerOptions = {}) {}

  /** Feeds one host sample; returns the events it releases. */
  hostSample(s: HostRates, nowMs = s.ts_unix_ms): TimedRuntimeEvent[] {
    this.host.add(s);
    return this.release(nowMs);
  }

  /** Feeds one runtime event observed at `ms`; returns the events to send now. */
  event(e: RuntimeEvent, observedMs: number): TimedRuntimeEvent[] {
    const ms = eventTime({ event: e, ts_unix_ms: observedMs });
    const out = this.process(e, ms).map((x) => ({ event: x, ms: observedMs }));
    for (const x of this.release(observedMs)) out.push(x);
    return out;
  }

  /** Everything still waiting, with what is known now (agent stop). */
  flush(): TimedRuntimeEvent[] {
    return this.release(Infinity);
  }

  /** Releases events that waited longer than holdMs (call on each tick). */
  tick(nowMs: number): TimedRuntimeEvent[] {
    return this.release(nowMs);
  }

  private release(nowMs: number): TimedRuntimeEvent[] {
    const out: TimedRuntimeEvent[] = [];
    const interval = this.opts.hostIntervalMs;
    const hold = this.opts.holdMs ?? (interval === undefined ? 0 : 3 * interval);
    while (this.pending.length > 0) {
      const p = this.pending[0] as PendingFirstImage;
      const latest = this.host.latestMs();
      if (!(interval === undefined || (latest !== undefined && latest >= p.ms) || nowMs - p.ms >= hold)) break;
      this.pending.shift();
      out.push({ event: this.firstImage(p), ms: p.ms });
    }
    return out;
  }

  private fresh(): RuntimeState {
    return { startMs: undefined, readyMs: undefined, firstImageDone: false, loads: [], downloadsMs: [], downloadPending: false, jobs: new Map() };
  }

  private state(runtime: string): RuntimeState {
    let s = this.runtimes.get(runtime);
    if (s === undefined) {
      s = this.fresh();
      this.runtimes.set(runtime, s);
    }
    return s;
  }

  /** A load's verdict with the host bytes of its window as known now. */
  private classify(l: Load): ReturnType<typeof classifyLoad> {
    if (l.startMs === undefined) return classifyLoad(l.evidence);
    const b = this.host.bytes(l.startMs, l.endMs);
    return classifyLoad({ ...l.evidence, hostDiskReadBytes: b.diskReadBytes, hostNetRxBytes: b.netRxBytes });
  }

  private window(s: RuntimeState, fromMs: number | undefined, toMs: number): StartVerdict {
    const from = fromMs ?? -Infinity;
    const inWin = (t: number): boolean => t >= from && t <= toMs;
    return classifyWindow({
      startSeen: fromMs !== undefined,
      downloads: s.downloadsMs.filter(inWin).length,
      loads: s.loads.filter((l) => inWin(l.endMs)).map((l) => this.classify(l).source),
      loadedBefore: s.loads.some((l) => l.endMs < from),
    });
  }

  private process(e: RuntimeEvent, ms: number): RuntimeEvent[] {
    const s = this.state(e.runtime);
    switch (e.kind) {
      case 'runtime_start':
        this.runtimes.set(e.runtime, { ...this.fresh(), startMs: ms });
        return [e];
      case 'runtime_ready': {
        s.readyMs = ms;
        const v = this.window(s, s.startMs, ms);
        const out: RuntimeEventOf<'runtime_ready'> = { ...e, cold: v.cold, cold_rule: v.rule };
        if (s.startMs !== undefined) out.start_to_ready_s = secs(s.startMs, ms);
        return [out];
      }
      case 'model_download':
        // a download without a size (a runtime's message) counts; a 0-byte one (all files cached) does not
        if ((e.bytes ?? 1) > 0) {
          s.downloadsMs.push(ms);
          s.downloadPending = true;
        }
        return [e];
      case 'model_load':
        return [this.load(s, e, ms)];
      case 'job_start':
        if (e.job_id !== undefined || s.jobs.size === 0) s.jobs.set(e.job_id ?? '', { startMs: ms, queueWaitS: e.queue_wait_s });
        return [e];
      case 'job_end':
        return this.jobEnd(s, e, ms);
      default:
        return [e];
    }
  }

  private load(s: RuntimeState, e: RuntimeEventOf<'model_load'>, ms: number): RuntimeEvent {
    const size = e.loaded_mb === undefined ? undefined : Math.round((e.loaded_mb + (e.offloaded_mb ?? 0)) * 1024 ** 2);
    const evidence: LoadEvidence = {
      reported: e.source,
      downloaded: s.downloadPending,
      remoteVolume: this.opts.remoteVolume?.(e.path),
      sizeBytes: size,
      durationS: e.duration_s,
    };
    s.downloadPending = false;
    const load: Load = { endMs: ms, startMs: e.duration_s === undefined ? undefined : ms - e.duration_s * 1000, evidence };
    s.loads.push(load);
    if (s.loads.length > 1000) s.loads.shift();
    if (s.downloadsMs.length > 1000) s.downloadsMs.shift();
    const v = this.classify(load);
    const sent = withoutLoadEvidence(e);
    return v.source === undefined || v.source === e.source ? sent : { ...sent, source: v.source };
  }

  private jobEnd(s: RuntimeState, e: RuntimeEventOf<'job_end'>, ms: number): RuntimeEvent[] {
    const key = e.job_id ?? '';
    const job = s.jobs.get(key) ?? (e.job_id === undefined && s.jobs.size === 1 ? [...s.jobs.values()][0] : undefined);
    s.jobs.delete(key);
    if (e.job_id === undefined) s.jobs.clear();
    const v = this.window(s, job?.startMs, ms);
    const end: RuntimeEventOf<'job_end'> = { ...e, cold: v.cold, cold_rule: v.rule };
    const image = producedImage(e);
    if (image && job !== undefined) end.queued_to_image_s = round3(secs(job.startMs, ms) + (job.queueWaitS ?? 0));
    if (image && s.startMs !== undefined && !s.firstImageDone) {
      s.firstImageDone = true;
      this.pending.push({ ms, runtime: e.runtime, end, state: s });
    }
    return [end];
  }

  private firstImage(p: PendingFirstImage): RuntimeEventOf<'first_image'> {
    const { state: s, end, ms } = p;
    const startMs = s.startMs ?? ms;
    const first = this.window(s, startMs, ms);
    const fi: RuntimeEventOf<'first_image'> = {
      kind: 'first_image',
      runtime: p.runtime,
      start_to_first_image_s: secs(startMs, ms),
      cold: first.cold,
      cold_rule: first.rule,
    };
    if (end.ts !== undefined) fi.ts = end.ts;
    if (end.job_id !== undefined) fi.job_id = end.job_id;
    if (s.readyMs !== undefined) {
      fi.start_to_ready_s = secs(startMs, s.readyMs);
      fi.ready_to_first_image_s = secs(s.readyMs, ms);
    }
    if (end.queued_to_image_s !== undefined) fi.queued_to_image_s = end.queued_to_image_s;
    return fi;
  }
}

/**
 * A model load as it leaves the agent: the weights file's path is evidence for the cold/warm
 * decision above (which volume it was read from), not a field of the event contract (DESIGN.md
 * "Contracts": model, model_hash, source, duration_s, loaded_mb, offloaded_mb, mode). It can also
 * name a user (`C:\\Users\\<name>\\…`), so it stays on the host.
 */
export function withoutLoadEvidence<E extends RuntimeEvent>(e: E): E {
  if (e.kind !== 'model_load' || !('path' in e)) return e;
  const { path: _path, ...rest } = e as RuntimeEventOf<'model_load'>;
  return rest as E;
}
