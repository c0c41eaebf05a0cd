// Test harness for the delivery fault tests: the collector as a real child process (so it can be
// SIGKILLed), the test agent (delivery-test-agent.ts), and the exact
// counts the agents generated versus what ClickHouse holds (FINAL). Side-effect free at import.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStorage, sql, type Storage } from '@renderwatch/collector';
import { MAX_IN_FLIGHT, type Generated } from './delivery-test-agent.js';

export { createTestAgent, MAX_IN_FLIGHT } from './delivery-test-agent.js';
export type { Generated, TestAgent, TestAgentOptions } from './delivery-test-agent.js';

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
