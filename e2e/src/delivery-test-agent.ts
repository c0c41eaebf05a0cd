// A deterministic test agent for the delivery tests, built by createAgentPipeline as the daemon is
// (journal batcher → disk spool → retrying sender → gRPC Export); only its GPU rows are made by
// tick() instead of a sampler. Imports only the agent package, so the child-process agent
// (delivery-agent-main.ts) starts fast.
import { createAgentPipeline, resolveAgentConfig, type AgentPipeline, type ClientTlsFiles, type Spool } from '@renderwatch/agent';
import { clientCredentialsFromFiles, createExportClient } from '@renderwatch/agent/harness';
import type { Logger } from 'pino';

/** Export calls each test agent keeps open; acks may come back out of order within this window. */
export const MAX_IN_FLIGHT = 8;

export interface Generated {
  batches: number;
  gpuRows: number;
  eventRows: number;
}

export interface TestAgentOptions {
  agentId: string;
  hostname: string;
  /** host:port, or a comma-separated list with round_robin over all of them. */
  address: string;
  /** The agent's state directory (AGENT_STATE_DIR); its spool is `<spoolDir>/spool`. */
  spoolDir: string;
  spoolMaxBytes?: number;
  token?: string;
  tls?: ClientTlsFiles;
  gpus?: number;
  /** A job_end event every N batches (by batch_seq). */
  eventEvery?: number;
  /** Batches on one ExportStream, as the daemon sends them (default), or one Export call each (false). */
  stream?: boolean;
  log: Logger;
  /** Called after each batch is durably spooled (before it can be sent). */
  onSpooled?: (seq: number, gpus: number, events: number) => void;
  /** Called when the collector first acknowledges a batch. */
  onAcked?: (seq: number) => void;
}

export interface TestAgent {
  readonly spool: Spool;
  readonly pipeline: AgentPipeline;
  readonly generated: Generated;
  /** batch_seqs in the order the collector first acknowledged them. */
  readonly acked: readonly number[];
  /** One batch: `gpus` GPU samples (ts = batch_seq in ms, unique per batch) and maybe an event. */
  tick(): void;
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops the sender and closes the client; the spool stays open (tick() still cuts batches). */
  close(): void;
}

/**
 * A deterministic agent: sample timestamps are derived from batch_seq, so every row's key is unique
 * and a re-delivered batch collapses onto itself in ClickHouse. The pipeline is not started: no
 * sampling or batch timer runs, each tick() cuts one batch.
 */
export function createTestAgent(o: TestAgentOptions): TestAgent {
  const gpus = o.gpus ?? 8;
  const eventEvery = o.eventEvery ?? 5;
  const cfg = resolveAgentConfig(
    {
      AGENT_ID: o.agentId,
      AGENT_HOSTNAME: o.hostname,
      AGENT_COLLECTOR_ADDRESS: '127.0.0.1:1', // unused: the client below is passed in
      AGENT_STATE_DIR: o.spoolDir,
      AGENT_SPOOL_MAX_BYTES: String(o.spoolMaxBytes ?? 64 * 1024 * 1024),
      AGENT_SPOOL_MAX_AGE_S: String(24 * 3600),
      AGENT_EXPORT_DEADLINE_MS: '5000',
      AGENT_EXPORT_MAX_INFLIGHT: String(MAX_IN_FLIGHT),
      AGENT_MAX_BATCH_ROWS: '100000',
      AGENT_FLUSH_INTERVAL_MS: '3600000',
    },
    {},
  );
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const many = o.address.includes(',');
  const client = createExportClient({
    address: many ? `ipv4:${o.address}` : o.address,
    stream: o.stream ?? true,
    ...(o.token === undefined ? {} : { token: o.token }),
    ...(o.tls === undefined ? {} : { credentials: clientCredentialsFromFiles(o.tls) }),
    ...(many ? { channelOptions: { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) } } : {}),
  });
  const acked: number[] = [];
  const seen = new Set<number>();
  /** The rows of the batch tick() is cutting, reported when the pipeline says it is spooled. */
  let cutting = { gpus: 0, events: 0 };
  const pipeline = createAgentPipeline(cfg.config, {
    log: o.log,
    gpuSampler: undefined,
    client,
    backoff: { initialMs: 100, maxMs: 1000 },
    driverVersion: '570.124.04',
    cudaVersion: '12.8',
    agentVersion: 'test',
    labels: {},
    onCut: (seq) => o.onSpooled?.(seq, cutting.gpus, cutting.events),
    onOutcome: (outcome, seq) => {
      if ((outcome === 'ok' || outcome === 'duplicate') && !seen.has(seq)) {
        seen.add(seq);
        acked.push(seq);
        o.onAcked?.(seq);
      }
    },
  });
  const spool = pipeline.spool;
  if (spool === undefined) throw new Error('the pipeline was built without its disk spool');
  const batcher = pipeline.agent.batcher;
  const generated: Generated = { batches: 0, gpuRows: 0, eventRows: 0 };
  return {
    spool,
    pipeline,
    generated,
    acked,
    tick() {
      const seq = batcher.nextSeq;
      batcher.addGpus(
        Array.from({ length: gpus }, (_, i) => ({
          ts_unix_ms: seq,
          index: i,
          uuid: `GPU-${o.hostname}-${i}`,
          name: 'NVIDIA L40S',
          utilization_gpu_ratio: (seq % 100) / 100,
          memory_used_bytes: 1024 ** 3,
          memory_total_bytes: 48 * 1024 ** 3,
          temperature_celsius: 60,
          power_draw_watts: 250,
        })),
      );
      let events = 0;
      if (seq % eventEvery === 0) {
        batcher.addEvent({ ts_unix_ms: seq, event: { kind: 'job_end', runtime: 'comfyui', job_id: `job-${seq}`, duration_s: 3.5, outcome: 'ok', images: 1 } });
        events = 1;
      }
      cutting = { gpus, events };
      batcher.flush();
      generated.batches++;
      generated.gpuRows += gpus;
      generated.eventRows += events;
    },
    drain: (ms) => pipeline.sender.drain(ms),
    // Stops sending only: the spool stays open, so a test can still cut batches and read them.
    close() {
      pipeline.sender.stop();
      client.close();
    },
  };
}
