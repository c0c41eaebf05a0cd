// A deterministic test agent (real batcher → spool → retrying sender) for the delivery tests.
// Imports only the agent package, so the child-process agent (delivery-agent-main.ts) starts fast.
import {
  clientCredentialsFromFiles,
  createBatcher,
  createExportClient,
  createRetryingSender,
  openSpool,
  type ClientTlsFiles,
  type Spool,
} from '@renderwatch/agent';
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
  spoolDir: string;
  spoolMaxBytes?: number;
  token?: string;
  tls?: ClientTlsFiles;
  gpus?: number;
  /** A job_end event every N batches (by batch_seq). */
  eventEvery?: number;
  log: Logger;
  /** Called after each batch is durably spooled (before it can be sent). */
  onSpooled?: (seq: number, gpus: number, events: number) => void;
  /** Called when the collector first acknowledges a batch. */
  onAcked?: (seq: number) => void;
}

export interface TestAgent {
  readonly spool: Spool;
  readonly generated: Generated;
  /** batch_seqs in the order the collector first acknowledged them. */
  readonly acked: readonly number[];
  /** One batch: `gpus` GPU samples (ts = batch_seq in ms, unique per batch) and maybe an event. */
  tick(): void;
  drain(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * A deterministic agent: sample timestamps are derived from batch_seq, so every row's key is unique
 * and a re-delivered batch collapses onto itself in ClickHouse.
 */
export function createTestAgent(o: TestAgentOptions): TestAgent {
  const gpus = o.gpus ?? 8;
  const eventEvery = o.eventEvery ?? 5;
  const spool = openSpool({ dir: o.spoolDir, maxBytes: o.spoolMaxBytes ?? 64 * 1024 * 1024, maxAgeMs: 24 * 3600_000, log: o.log });
  const many = o.address.includes(',');
  const client = createExportClient({
    address: many ? `ipv4:${o.address}` : o.address,
    ...(o.token === undefined ? {} : { token: o.token }),
    ...(o.tls === undefined ? {} : { credentials: clientCredentialsFromFiles(o.tls) }),
    ...(many ? { channelOptions: { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) } } : {}),
  });
  const acked: number[] = [];
  const seen = new Set<number>();
  const sender = createRetryingSender({
    client,
    store: spool,
    log: o.log,
    deadlineMs: 5000,
    maxInFlight: MAX_IN_FLIGHT,
    backoff: { initialMs: 100, maxMs: 1000 },
    onOutcome: (outcome, seq) => {
      if ((outcome === 'ok' || outcome === 'duplicate') && !seen.has(seq)) {
        seen.add(seq);
        acked.push(seq);
        o.onAcked?.(seq);
      }
    },
  });
  const generated: Generated = { batches: 0, gpuRows: 0, eventRows: 0 };
  const batcher = createBatcher({
    agentId: o.agentId,
    host: { hostname: o.hostname, driverVersion: '570.124.04', cudaVersion: '12.8', agentVersion: 'test', labels: {} },
    firstSeq: spool.nextSeq,
    maxRows: 100_000,
    flushIntervalMs: 3_600_000,
    deliver: (req) => {
      spool.append(req);
      o.onSpooled?.(req.batchSeq, req.gpuSamples.length, req.events.length);
      sender.kick();
    },
  });
  sender.kick(); // resend what an earlier run left in the spool
  return {
    spool,
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
      batcher.flush();
      generated.batches++;
      generated.gpuRows += gpus;
      generated.eventRows += events;
    },
    drain: (ms) => sender.drain(ms),
    close() {
      sender.stop();
      client.close();
    },
  };
}
