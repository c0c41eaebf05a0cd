// The agent side of delivery with real processes: the agent SIGKILLed while the collector is down
// and restarted on the same spool; and the spool filling up during a long outage (oldest samples
// dropped first, counted; events kept).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw, type Storage } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestAgent,
  inOrderWithin,
  MAX_IN_FLIGHT,
  sleep,
  spawnCollector,
  storedCounts,
  testStorage,
  until,
  type CollectorProcess,
} from './delivery-harness.js';
import { startTestCollector } from './test-collector.js';

const HERE = dirname(fileURLToPath(import.meta.url));

interface AgentProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function spawnAgent(args: Record<string, unknown>): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', join(HERE, 'delivery-agent-main.ts'), JSON.stringify(args)], {
    cwd: join(HERE, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (b: Buffer) => {
    buf += b.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

const field = (lines: readonly string[], kind: string): number[][] =>
  lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.split(' ').slice(1).map(Number));

describe('delivery across agent restarts and a full spool', () => {
  const url = inject('clickhouseUrl');
  const dir = mkdtempSync(join(tmpdir(), 'rw-deliv-a-'));
  const db = `rw_deliv_a_${process.pid}`;
  const collectors: CollectorProcess[] = [];
  const agents: AgentProcess[] = [];
  let storage: Storage;
  beforeAll(() => {
    storage = testStorage(url, db);
  });
  afterAll(async () => {
    for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGKILL');
    for (const c of collectors) await c.kill();
    await storage.command(raw(`DROP DATABASE IF EXISTS ${db}`)).catch(() => undefined);
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resends with the same batch_seq after the agent is SIGKILLed while the collector is down', async () => {
    const port = await freePort();
    const env = { COLLECTOR_CLICKHOUSE_URL: url, COLLECTOR_CLICKHOUSE_DATABASE: db, COLLECTOR_GRPC_PORT: String(port), COLLECTOR_HTTP_PORT: '0' };
    const c1 = await spawnCollector(env);
    collectors.push(c1);
    const args = {
      agentId: 'restart-1',
      hostname: 'restart-host',
      address: `127.0.0.1:${port}`,
      spoolDir: join(dir, 'restart-1'),
      intervalMs: 250,
      drainMs: 45_000,
    };
    const a1 = spawnAgent({ ...args, ticks: -1 });
    agents.push(a1);
    expect(await until(() => field(a1.lines, 'acked').length >= 5, 45_000)).toBe(true);
    await c1.kill();
    await sleep(2000);
    a1.child.kill('SIGKILL');
    await a1.exited;
    const a2 = spawnAgent({ ...args, ticks: 8 });
    agents.push(a2);
    await sleep(3000);
    collectors.push(await spawnCollector(env));
    expect(await a2.exited).toBe(0);

    const all = [...a1.lines, ...a2.lines];
    const batches = new Map<number, { gpus: number; events: number }>();
    for (const [seq, gpus, events] of [...field(all, 'spooled'), ...field(all, 'resumed')]) batches.set(seq ?? 0, { gpus: gpus ?? 0, events: events ?? 0 });
    const resumed = field(a2.lines, 'resumed').map(([s]) => s);
    const acked1 = field(a1.lines, 'acked').map(([s]) => s ?? 0);
    const acked2 = field(a2.lines, 'acked').map(([s]) => s ?? 0);
    // The restarted agent found unacked batches on disk and resent them under their own seqs.
    expect(resumed.length).toBeGreaterThan(3);
    expect(new Set([...acked1, ...acked2]).size).toBe(batches.size);
    expect(acked2.filter((s) => acked1.includes(s))).toEqual([]);
    expect([inOrderWithin(acked1, MAX_IN_FLIGHT), inOrderWithin(acked2, MAX_IN_FLIGHT)]).toEqual([true, true]);
    // New batches continue after the largest seq the first run used.
    const firstNew = field(a2.lines, 'spooled')[0]?.[0] ?? 0;
    expect(firstNew).toBe(Math.max(...batches.keys()) - 7);
    const want = [...batches.values()].reduce((s, b) => ({ gpus: s.gpus + b.gpus, events: s.events + b.events }), { gpus: 0, events: 0 });
    const got = await storedCounts(storage, 'restart-1');
    expect({ gpus: got.gpuRows, distinct: got.distinctGpuKeys, events: got.eventRows }).toEqual({ gpus: want.gpus, distinct: want.gpus, events: want.events });
  }, 120_000);

  it('drops exactly the oldest samples the size limit demands during a long outage, counts them, and keeps every event', async () => {
    const port = await freePort();
    const maxBytes = 32 * 1024;
    const agent = createTestAgent({
      agentId: 'full-1',
      hostname: 'full-host',
      address: `127.0.0.1:${port}`,
      spoolDir: join(dir, 'full-1'),
      spoolMaxBytes: maxBytes,
      log: pino({ level: 'silent' }),
    });
    // A long outage: nothing listens on the port while 120 batches are made.
    for (let i = 0; i < 120; i++) agent.tick();
    const stats = agent.spool.stats();
    expect(stats.droppedSamples).toBeGreaterThan(0);
    expect(stats.droppedEvents).toBe(0);
    expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    // Full to the limit, not below it: one more samples-only batch would not fit.
    const sampleBatch = agent.spool
      .head(1000)
      .map((b) => b.load())
      .find((r) => r !== undefined && r.events.length === 0);
    expect(sampleBatch).toBeDefined();
    expect(stats.bytes + ExportRequest.encode(sampleBatch ?? ExportRequest.fromPartial({})).finish().length).toBeGreaterThan(maxBytes);
    // Every event-bearing batch is still spooled.
    const kept = agent.spool.head(1000).map((b) => b.load());
    expect(kept.reduce((n, r) => n + (r?.events.length ?? 0), 0)).toBe(agent.generated.eventRows);

    const c = await startTestCollector(url, { COLLECTOR_CLICKHOUSE_DATABASE: db, COLLECTOR_GRPC_PORT: String(port) });
    expect(await agent.drain(45_000)).toBe(true);
    const got = await storedCounts(storage, 'full-1');
    expect({ gpus: got.gpuRows, events: got.eventRows }).toEqual({ gpus: agent.generated.gpuRows - stats.droppedSamples, events: agent.generated.eventRows });
    agent.close();
    await c.stop();
  }, 90_000);
});
