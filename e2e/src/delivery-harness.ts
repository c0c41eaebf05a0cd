// Test harness for the delivery fault tests: the collector as a real child process (so it can be
// SIGKILLed), a deterministic test agent (real batcher → spool → retrying sender), and the exact
// counts the agents generated versus what ClickHouse holds (FINAL). Side-effect free at import.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clientCredentialsFromFiles,
  createBatcher,
  createExportClient,
  createRetryingSender,
  openSpool,
  type ClientTlsFiles,
  type Spool,
} from '@renderwatch/agent';
import { createStorage, sql, type Storage } from '@renderwatch/collector';
import type { Logger } from 'pino';

const HERE = dirname(fileURLToPath(import.meta.url));
export const COLLECTOR_BIN = join(HERE, '..', '..', 'collector', 'bin', 'renderwatch-collector');

export interface CollectorProcess {
  readonly pid: number;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** SIGKILL, resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), resolves once the process is gone. */
  stop(): Promise<void>;
  output(): string;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `renderwatch-collector serve` with exactly `env` (plus PATH for node) and waits until it listens. */
export async function spawnCollector(env: Record<string, string>, timeoutMs = 30_000): Promise<CollectorProcess> {
  const child = spawn(COLLECTOR_BIN, ['serve'], {
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, COLLECTOR_HOST: '127.0.0.1', COLLECTOR_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /http:\/\/127\.0\.0\.1:(\d+).*gRPC 127\.0\.0\.1:(\d+)/.exec(out);
    if (m !== null) {
      return {
        pid: child.pid ?? -1,
        httpPort: Number(m[1]),
        grpcPort: Number(m[2]),
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await waitExit(child);
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await waitExit(child);
        },
        output: () => out,
      };
    }
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`collector did not start within ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
          ts_unix_ms: seq, index: i, uuid: `GPU-${o.hostname}-${i}`, name: 'NVIDIA L40S', utilization_gpu_ratio: (seq % 100) / 100,
          memory_used_bytes: 1024 ** 3, memory_total_bytes: 48 * 1024 ** 3, temperature_celsius: 60, power_draw_watts: 250,
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

export interface StoredCounts {
  gpuRows: number;
  gpuRowsRaw: number;
  distinctGpuKeys: number;
  eventRows: number;
}

/** What ClickHouse holds for an agent: FINAL counts (exact), raw counts and distinct keys. */
export async function storedCounts(storage: Storage, agentId: string): Promise<StoredCounts> {
  const [g] = await storage.query<{ f: string; r: string; d: string }>(
    sql`SELECT (SELECT count() FROM gpu_samples FINAL WHERE agent_id = ${agentId}) AS f,
               (SELECT count() FROM gpu_samples WHERE agent_id = ${agentId}) AS r,
               (SELECT uniqExact(host, gpu_uuid, ts, ts_ms) FROM gpu_samples WHERE agent_id = ${agentId}) AS d`,
  );
  const [e] = await storage.query<{ c: string }>(sql`SELECT count() AS c FROM runtime_events FINAL WHERE agent_id = ${agentId}`);
  return { gpuRows: Number(g?.f ?? 0), gpuRowsRaw: Number(g?.r ?? 0), distinctGpuKeys: Number(g?.d ?? 0), eventRows: Number(e?.c ?? 0) };
}

export function testStorage(url: string, database: string): Storage {
  return createStorage({ url, database, username: 'default', password: '' });
}

/** Runs `fn` every `ms` until the returned stop is called. */
export function every(ms: number, fn: () => void): () => void {
  const t = setInterval(fn, ms);
  return () => clearInterval(t);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true or `timeoutMs` passes. */
export async function until(fn: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}

/** No ack overtakes a batch more than `w` places older: order holds up to the in-flight window. */
export function inOrderWithin(xs: readonly number[], w: number): boolean {
  let maxOld = Number.NEGATIVE_INFINITY;
  return xs.every((x, i) => {
    if (i >= w) maxOld = Math.max(maxOld, xs[i - w] ?? maxOld);
    return x > maxOld;
  });
}

export interface DeliveryReport {
  agent: string;
  gpuRows: number;
  distinctGpuKeys: number;
  eventRows: number;
  batchesAcked: number;
  ackedInOrder: boolean;
}

/** What was stored and acked for an agent, to compare with `exactReport`. */
export async function deliveryReport(storage: Storage, agent: string, a: { acked: readonly number[] }): Promise<DeliveryReport> {
  const got = await storedCounts(storage, agent);
  return {
    agent,
    gpuRows: got.gpuRows,
    distinctGpuKeys: got.distinctGpuKeys,
    eventRows: got.eventRows,
    batchesAcked: new Set(a.acked).size,
    ackedInOrder: inOrderWithin(a.acked, MAX_IN_FLIGHT),
  };
}

/** The report of a perfect delivery: every generated row stored once, every batch acked in order. */
export function exactReport(agent: string, a: { generated: Generated }): DeliveryReport {
  const g = a.generated;
  return { agent, gpuRows: g.gpuRows, distinctGpuKeys: g.gpuRows, eventRows: g.eventRows, batchesAcked: g.batches, ackedInOrder: true };
}
