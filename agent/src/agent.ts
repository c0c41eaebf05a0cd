// createAgent(config, deps) → { start, stop }: the daemon's loop. Samples GPUs (and the host) on a
// timer, takes runtime events as they come, batches everything and hands batches to the sender.
// No side effects at import; every dependency is passed in, so tests drive it with fakes at the
// boundaries we cannot have here (no GPU) and real everything else.
import type { HostIdentity } from '@renderwatch/proto';
import type { RuntimeEvent } from '@renderwatch/schema';
import type { Logger } from 'pino';
import type { AgentConfig } from './config.js';
import { createBatcher, nextSeqStart, type Batcher, type BatcherOptions } from './export/batcher.js';
import type { Spool } from './export/spool.js';
import { applyErrorMessagePolicy } from './runtime-logs/redact.js';
import type { LogOffsets } from './runtime-logs/runtime-log-source.js';
import type { HostSnapshotLike } from './export/to-wire.js';
import type { GpuSampler, GpuSnapshot, GpuStatusChange } from './sampling/sampler.js';
import { StartTracker, type TimedRuntimeEvent } from './signals/start-tracker.js';

export const AGENT_VERSION = '0.1.0';

/** Something that produces host readings (CPU, memory, volumes, I/O). */
export interface HostSource {
  sample(): Promise<HostSnapshotLike>;
}

/** Something that emits runtime events (a log follower, a runtime API poller). */
export interface EventSource {
  /** `offsets`, when given, is where a log follower commits its positions (with the events before them). */
  start(emit: (e: RuntimeEvent, observedAtMs: number) => void, offsets?: LogOffsets): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Observers of what the agent sampled (Prometheus /metrics, OTLP). */
export interface AgentObserver {
  observeGpus?(gpus: readonly GpuSnapshot[]): void;
  observeStatus?(s: GpuStatusChange): void;
  observeHost?(h: HostSnapshotLike): void;
  observeEvent?(e: RuntimeEvent): void;
  observeSampleError?(source: string): void;
}

export interface AgentDeps {
  log: Logger;
  gpuSampler: GpuSampler | undefined;
  hostSource?: HostSource;
  eventSources?: readonly EventSource[];
  observers?: readonly AgentObserver[];
  /** Memory mode: receives every cut batch (a sender with a memory store, a test). */
  deliver?: BatcherOptions['deliver'];
  /** Journal mode (the daemon): every row is appended to this spool as it is taken; see batcher.ts. */
  journal?: Spool;
  /** Journal mode: a batch was cut and is durably spooled. */
  onCut?: BatcherOptions['onCut'];
  onJournalError?: BatcherOptions['onJournalError'];
  /** First batch_seq (from the spool's state when there is one). */
  firstSeq?: number;
  driverVersion?: string;
  cudaVersion?: string;
  /** Host labels sent with every batch (e.g. a simulated host's group). */
  labels?: Record<string, string>;
  /** Agent version reported to the collector (default AGENT_VERSION). */
  agentVersion?: string;
  now?: () => number;
  /**
   * Whether a model file (or, with no path, the models volume) is on a network/remote filesystem:
   * evidence for cold/warm (signals/cold-warm.ts, signals/mounts.ts). Default: unknown.
   */
  remoteVolume?: (path: string | undefined) => boolean | undefined;
}

export interface Agent {
  /** `sampling: false`: no sampling timer (the caller calls tick(), e.g. one timer for a simulated fleet). */
  start(opts?: { sampling?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** Takes one sample now (tests and `sample --once`). */
  tick(): Promise<void>;
  readonly batcher: Batcher;
}

const NO_GPUS: readonly GpuSnapshot[] = [];

/** How long stop() waits for a sample in progress (a hung sampler must not hold the agent's stop). */
const STOP_TICK_WAIT_MS = 5000;

async function settledWithin(p: Promise<void> | undefined, ms: number): Promise<void> {
  if (p === undefined) return;
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => (t = setTimeout(resolve, ms)))]);
  clearTimeout(t);
}

export function createAgent(cfg: AgentConfig, deps: AgentDeps): Agent {
  const log = deps.log.child({ module: 'agent' });
  const now = deps.now ?? Date.now;
  const observers = deps.observers ?? [];
  let driverVersion = deps.driverVersion ?? '';
  const identity = (): HostIdentity => ({
    hostname: cfg.hostname,
    driverVersion,
    cudaVersion: deps.cudaVersion ?? '',
    agentVersion: deps.agentVersion ?? AGENT_VERSION,
    labels: deps.labels ?? {},
  });
  const batcher = createBatcher({
    agentId: cfg.agentId,
    host: identity(),
    firstSeq: deps.firstSeq ?? nextSeqStart(now()),
    maxRows: cfg.AGENT_MAX_BATCH_ROWS,
    flushIntervalMs: cfg.AGENT_FLUSH_INTERVAL_MS,
    sampleIntervalMs: cfg.AGENT_SAMPLE_INTERVAL_MS,
    ...(deps.deliver === undefined ? {} : { deliver: deps.deliver }),
    ...(deps.journal === undefined ? {} : { journal: deps.journal }),
    ...(deps.onCut === undefined ? {} : { onCut: deps.onCut }),
    ...(deps.onJournalError === undefined ? {} : { onJournalError: deps.onJournalError }),
  });
  const journal = deps.journal;
  const offsets: LogOffsets | undefined =
    journal === undefined ? undefined : { get: (key) => journal.checkpoint(key), commit: (key, at) => batcher.checkpoint(key, at) };
  let timer: NodeJS.Timeout | undefined;
  /** The tick in progress: stop() waits for it, so a sample read as the agent stops is spooled before the last cut. */
  let ticking: Promise<void> | undefined;
  // Cold/warm by evidence and time to first image (docs/signals.md); host uptime plays no part.
  const tracker = new StartTracker({
    ...(deps.hostSource === undefined ? {} : { hostIntervalMs: cfg.AGENT_SAMPLE_INTERVAL_MS }),
    ...(deps.remoteVolume === undefined ? {} : { remoteVolume: deps.remoteVolume }),
  });
  let hostErrorLogged = false;

  function tick(): Promise<void> {
    if (ticking !== undefined) return ticking; // a slow source never stacks ticks
    ticking = takeSample().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  async function takeSample(): Promise<void> {
    // The tick's GPU and host rows reach the spool together, in one frame (one encode, one write(2)),
    // once the host is read; GPU rows taken before a failure are still added (below).
    let gpus: readonly GpuSnapshot[] = NO_GPUS;
    let added = false;
    try {
      if (deps.gpuSampler !== undefined) {
        const r = await deps.gpuSampler.sample();
        if (r.gpus.length > 0) {
          const dv = r.gpus[0]?.driver_version;
          if (dv !== undefined && dv !== driverVersion) {
            driverVersion = dv;
            batcher.setHost(identity());
          }
          gpus = r.gpus;
          for (let i = 0; i < observers.length; i++) observers[i]?.observeGpus?.(r.gpus);
        }
        for (let j = 0; j < r.status.length; j++) {
          const s = r.status[j];
          if (s === undefined) continue;
          batcher.addStatus(s);
          for (let i = 0; i < observers.length; i++) observers[i]?.observeStatus?.(s);
          if (s.status === 'sample_error') for (let i = 0; i < observers.length; i++) observers[i]?.observeSampleError?.(deps.gpuSampler.source);
        }
      }
      let h: HostSnapshotLike | undefined;
      if (deps.hostSource !== undefined) {
        try {
          h = await deps.hostSource.sample();
          hostErrorLogged = false;
        } catch (err: unknown) {
          for (const o of observers) o.observeSampleError?.('host');
          if (!hostErrorLogged) log.warn({ err }, 'host sample failed');
          hostErrorLogged = true;
        }
      }
      added = true;
      batcher.addSample(gpus, h);
      if (h !== undefined) {
        send(tracker.hostSample(h, now()));
        for (let i = 0; i < observers.length; i++) observers[i]?.observeHost?.(h);
      }
    } catch (err: unknown) {
      // A sampler must not throw (failures are status values); if one does, log and go on.
      log.error({ err }, 'sampler threw; continuing');
      for (const o of observers) o.observeSampleError?.(deps.gpuSampler?.source ?? 'unknown');
      if (!added) batcher.addSample(gpus, undefined);
    } finally {
      send(tracker.tick(now()));
    }
  }

  function send(out: readonly TimedRuntimeEvent[]): void {
    // indexed loops on the per-tick path: for-of allocates an iterator and a result per step when the
    // daemon runs interpreted (--no-opt)
    for (let j = 0; j < out.length; j++) {
      const x = out[j];
      if (x === undefined) continue;
      batcher.addEvent({ event: x.event, ts_unix_ms: x.ms });
      for (let i = 0; i < observers.length; i++) observers[i]?.observeEvent?.(x.event);
    }
  }

  function onEvent(e: RuntimeEvent, observedAtMs: number): void {
    // error messages leave the host as templates unless AGENT_ERROR_MESSAGES=raw (docs/privacy.md)
    send(tracker.event(applyErrorMessagePolicy(e, cfg.AGENT_ERROR_MESSAGES), observedAtMs));
  }

  return {
    batcher,
    tick,
    async start(opts) {
      for (const s of deps.eventSources ?? []) await s.start(onEvent, offsets);
      batcher.start();
      if (opts?.sampling === false) return;
      await tick();
      timer = setInterval(() => void tick(), cfg.AGENT_SAMPLE_INTERVAL_MS);
      log.info(
        { agentId: cfg.agentId, host: cfg.hostname, gpuSource: deps.gpuSampler?.source ?? 'none', collector: cfg.AGENT_COLLECTOR_ADDRESS },
        'agent started',
      );
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await settledWithin(ticking, STOP_TICK_WAIT_MS);
      for (const s of deps.eventSources ?? []) await s.stop();
      send(tracker.flush());
      batcher.stop();
      await deps.gpuSampler?.close();
    },
  };
}
