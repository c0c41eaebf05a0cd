// The agent's composition root: createAgentPipeline(config, deps) wires the sampling loop
// (createAgent), the batcher, the store batches wait in (the disk spool under AGENT_STATE_DIR/spool,
// or a bounded memory queue for simulations of many agents), the retrying sender and the Export
// client. The daemon (commands/run.ts), the simulator, the e2e harnesses and the benchmarks all
// build an agent through here; what differs is only what they pass as sources and sinks.
//
// With the disk spool, every row is appended to the spool as it is taken and log positions are
// committed in the same write as the events they produced (docs/delivery.md, "Agent crashes").
import { join } from 'node:path';
import type { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import { createAgent, type Agent, type AgentDeps, type AgentObserver, type EventSource, type HostSource } from './agent.js';
import type { AgentConfig } from './config.js';
import { createMemoryStore, type BatchStore, type MemoryStore } from './export/batch-store.js';
import { clientCredentialsFromFiles, createExportClient, type ExportClient } from './export/export-client.js';
import { createRetryingSender, type RetryingSender, type SendOutcome } from './export/retrying-sender.js';
import type { SendResult } from './export/send-result.js';
import { openSpool, type Spool, type SpoolStats } from './export/spool.js';
import type { GpuSampler } from './sampling/sampler.js';

export type PipelineConfig = Pick<
  AgentConfig,
  | 'agentId'
  | 'hostname'
  | 'AGENT_COLLECTOR_ADDRESS'
  | 'AGENT_TOKEN'
  | 'AGENT_STATE_DIR'
  | 'AGENT_SAMPLE_INTERVAL_MS'
  | 'AGENT_FLUSH_INTERVAL_MS'
  | 'AGENT_MAX_BATCH_ROWS'
  | 'AGENT_EXPORT_DEADLINE_MS'
  | 'AGENT_EXPORT_MAX_INFLIGHT'
  | 'AGENT_SPOOL_MAX_BYTES'
  | 'AGENT_SPOOL_MAX_AGE_S'
  | 'AGENT_TLS'
  | 'AGENT_TLS_CA_FILE'
  | 'AGENT_TLS_CERT_FILE'
  | 'AGENT_TLS_KEY_FILE'
> &
  Partial<Pick<AgentConfig, 'AGENT_EXPORT_STREAM'>>;

export interface AgentPipelineDeps {
  log: Logger;
  gpuSampler?: GpuSampler | undefined;
  hostSource?: HostSource;
  /** Whether a model file is on a network filesystem (cold/warm evidence; signals/mounts.ts). */
  remoteVolume?: AgentDeps['remoteVolume'];
  eventSources?: readonly EventSource[];
  observers?: readonly AgentObserver[];
  /** The Export client; default: gRPC to AGENT_COLLECTOR_ADDRESS with the config's token and TLS. */
  client?: ExportClient;
  /** Where batches wait: the disk spool (default) or a memory queue of at most this many batches. */
  memoryQueue?: number;
  /** fsync at every cut (default true; off only for simulations of many agents on one disk). */
  spoolFsync?: boolean;
  /** Every send outcome; `rows` = samples + events of the batch. */
  onOutcome?: (outcome: SendOutcome, seq: number, result: SendResult | undefined, rows: number) => void;
  /** A batch was cut (and, with the disk spool, is durable). */
  onCut?: (seq: number) => void;
  /** Rows that could not be written to the spool (disk full, I/O error). */
  onJournalError?: (err: unknown, rows: number) => void;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
  /** Further createAgent dependencies (signals evidence and the like), passed through as they are. */
  agentDeps?: Partial<Omit<AgentDeps, 'log' | 'deliver' | 'journal' | 'onCut' | 'onJournalError'>>;
  driverVersion?: string;
  cudaVersion?: string;
  labels?: Record<string, string>;
  agentVersion?: string;
}

export interface AgentPipeline {
  readonly agent: Agent;
  /** The disk spool, unless a memory queue was asked for. */
  readonly spool: Spool | undefined;
  readonly store: BatchStore;
  readonly sender: RetryingSender;
  /** Starts the event sources, the batch timer and, unless `sampling` is false, the sampling timer. */
  start(opts?: { sampling?: boolean }): Promise<void>;
  /** Stops sampling and the sources, cuts what is open, waits up to `drainMs` for acks, closes. True when drained. */
  stop(drainMs?: number): Promise<boolean>;
  /** Closes without waiting (start-up failures, tests). */
  close(): void;
  /**
   * Memory queue only: queues a batch cut outside the agent loop (the simulator's history fill, a
   * benchmark's prepared batches) and kicks the sender. Throws on a disk-spooled pipeline.
   */
  enqueue(req: ExportRequest): void;
  stats(): SpoolStats & { queued: number };
}

export function tlsWanted(cfg: Pick<PipelineConfig, 'AGENT_TLS' | 'AGENT_TLS_CA_FILE' | 'AGENT_TLS_CERT_FILE'>): boolean {
  return cfg.AGENT_TLS === 'on' || cfg.AGENT_TLS_CA_FILE !== '' || cfg.AGENT_TLS_CERT_FILE !== '';
}

export function exportClientFromConfig(cfg: PipelineConfig, log?: Logger): ExportClient {
  return createExportClient({
    address: cfg.AGENT_COLLECTOR_ADDRESS,
    // One long-lived ExportStream per agent; Export calls while a collector answers UNIMPLEMENTED.
    stream: cfg.AGENT_EXPORT_STREAM !== 'off',
    onStreamUnimplemented: () => log?.info('the collector does not speak ExportStream; sending each batch as an Export call (stream tried again in an hour)'),
    ...(cfg.AGENT_TOKEN === '' ? {} : { token: cfg.AGENT_TOKEN }),
    ...(tlsWanted(cfg)
      ? { credentials: clientCredentialsFromFiles({ caFile: cfg.AGENT_TLS_CA_FILE, certFile: cfg.AGENT_TLS_CERT_FILE, keyFile: cfg.AGENT_TLS_KEY_FILE }) }
      : {}),
  });
}

/** Throws when the spool cannot be opened (state dir not writable) or a TLS file cannot be read. */
export function createAgentPipeline(cfg: PipelineConfig, deps: AgentPipelineDeps): AgentPipeline {
  const { log } = deps;
  const memory: MemoryStore | undefined = deps.memoryQueue === undefined ? undefined : createMemoryStore(deps.memoryQueue);
  const spool =
    memory !== undefined
      ? undefined
      : openSpool({
          dir: join(cfg.AGENT_STATE_DIR, 'spool'),
          maxBytes: cfg.AGENT_SPOOL_MAX_BYTES,
          maxAgeMs: cfg.AGENT_SPOOL_MAX_AGE_S * 1000,
          log,
          ...(deps.spoolFsync === undefined ? {} : { fsync: deps.spoolFsync }),
          ...(deps.now === undefined ? {} : { now: deps.now }),
        });
  const store: BatchStore = memory ?? (spool as Spool);
  let client: ExportClient;
  try {
    client = deps.client ?? exportClientFromConfig(cfg, log);
  } catch (err: unknown) {
    spool?.close();
    throw err;
  }
  const sender = createRetryingSender({
    client,
    store,
    log,
    deadlineMs: cfg.AGENT_EXPORT_DEADLINE_MS,
    maxInFlight: cfg.AGENT_EXPORT_MAX_INFLIGHT,
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
    ...(deps.onOutcome === undefined ? {} : { onOutcome: deps.onOutcome }),
  });
  const agent = createAgent(cfg as AgentConfig, {
    ...deps.agentDeps,
    log,
    gpuSampler: deps.gpuSampler,
    ...(deps.hostSource === undefined ? {} : { hostSource: deps.hostSource }),
    ...(deps.remoteVolume === undefined ? {} : { remoteVolume: deps.remoteVolume }),
    ...(deps.eventSources === undefined ? {} : { eventSources: deps.eventSources }),
    ...(deps.observers === undefined ? {} : { observers: deps.observers }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.driverVersion === undefined ? {} : { driverVersion: deps.driverVersion }),
    ...(deps.cudaVersion === undefined ? {} : { cudaVersion: deps.cudaVersion }),
    ...(deps.labels === undefined ? {} : { labels: deps.labels }),
    ...(deps.agentVersion === undefined ? {} : { agentVersion: deps.agentVersion }),
    ...(deps.onJournalError === undefined ? {} : { onJournalError: deps.onJournalError }),
    ...(spool !== undefined
      ? {
          journal: spool,
          onCut: (seq: number) => {
            deps.onCut?.(seq);
            sender.kick();
          },
        }
      : {
          deliver: (req) => {
            memory?.append(req);
            deps.onCut?.(req.batchSeq);
            sender.kick();
          },
        }),
  });
  sender.kick(); // what an earlier run left unacked
  let closed = false;
  function close(): void {
    if (closed) return;
    closed = true;
    sender.stop();
    client.close();
    spool?.close();
  }
  return {
    agent,
    spool,
    store,
    sender,
    start: (opts) => agent.start(opts),
    async stop(drainMs = 0) {
      await agent.stop();
      const drained = drainMs > 0 ? await sender.drain(drainMs) : store.size === 0;
      close();
      return drained;
    },
    close,
    enqueue(req) {
      if (memory === undefined) throw new Error('enqueue needs a pipeline built with memoryQueue');
      memory.append(req);
      sender.kick();
    },
    stats: () => ({ ...(spool?.stats() ?? { batches: store.size, bytes: 0, droppedSamples: 0, droppedEvents: memory?.dropped ?? 0 }), queued: store.size }),
  };
}
