// Fault tests with real processes: the collector is a child process, SIGKILLed mid-stream; two
// collector replicas share one ClickHouse and one of them is killed. Every test ends with the
// ClickHouse count (FINAL) equal to exactly what the agents generated.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExportClient } from '@renderwatch/agent/harness';
import { raw, type Storage } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestAgent,
  deliveryReport,
  every,
  exactReport,
  sleep,
  spawnCollector,
  storedCounts,
  testStorage,
  until,
  type CollectorProcess,
  type TestAgent,
} from './delivery-harness.js';

const log = pino({ level: 'silent' });

async function expectExactlyOnce(storage: Storage, agents: readonly (TestAgent & { id: string })[]): Promise<void> {
  for (const a of agents) expect(await deliveryReport(storage, a.id, a)).toEqual(exactReport(a.id, a));
}

describe('delivery across collector crashes', () => {
  const url = inject('clickhouseUrl');
  const running: CollectorProcess[] = [];
  let dir: string;
  let storage: Storage;
  const db = `rw_deliv_c_${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rw-deliv-c-'));
    storage = testStorage(url, db);
  });
  afterAll(async () => {
    for (const c of running) await c.kill();
    await storage.command(raw(`DROP DATABASE IF EXISTS ${db}`)).catch(() => undefined);
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function collector(grpcPort: number): Promise<CollectorProcess> {
    const c = await spawnCollector({
      COLLECTOR_CLICKHOUSE_URL: url,
      COLLECTOR_CLICKHOUSE_DATABASE: db,
      COLLECTOR_GRPC_PORT: String(grpcPort),
      COLLECTOR_HTTP_PORT: '0',
    });
    running.push(c);
    return c;
  }

  function agents(prefix: string, n: number, address: string): (TestAgent & { id: string })[] {
    return Array.from({ length: n }, (_, i) => {
      const id = `${prefix}-${i}`;
      return Object.assign(createTestAgent({ agentId: id, hostname: `${prefix}-host-${i}`, address, spoolDir: join(dir, id), log }), { id });
    });
  }

  it('stores every row exactly once and in order when the collector is SIGKILLed mid-stream and back after 10 s', async () => {
    const port = await freePort();
    const first = await collector(port);
    const fleet = agents('kill', 3, `127.0.0.1:${port}`);
    const stopTicks = every(500, () => fleet.forEach((a) => a.tick()));
    expect(await until(() => fleet.every((a) => a.acked.length >= 10), 15_000)).toBe(true);
    await first.kill();
    await sleep(10_000);
    // The outage was absorbed by the spools, not lost.
    expect(fleet.map((a) => a.spool.size >= 15)).toEqual([true, true, true]);
    await collector(port);
    await sleep(1000);
    stopTicks();
    const t0 = Date.now();
    const drained = await Promise.all(fleet.map((a) => a.drain(45_000)));
    expect({ drained, left: fleet.map((a) => a.spool.size), ms: Date.now() - t0 }).toEqual({
      drained: [true, true, true],
      left: [0, 0, 0],
      ms: expect.any(Number),
    });
    await expectExactlyOnce(storage, fleet);
    for (const a of fleet) a.close();
  }, 120_000);

  it('stores every row exactly once with two replicas behind the agents when one is SIGKILLed', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = await collector(pa);
    await collector(pb);
    const fleet = agents('replica', 3, `127.0.0.1:${pa},127.0.0.1:${pb}`);
    const stopTicks = every(500, () => fleet.forEach((x) => x.tick()));
    expect(await until(() => fleet.every((x) => x.acked.length >= 10), 15_000)).toBe(true);
    await a.kill();
    await sleep(3000);
    stopTicks();
    const drained = await Promise.all(fleet.map((x) => x.drain(45_000)));
    expect({ drained, left: fleet.map((x) => x.spool.size) }).toMatchObject({ drained: [true, true, true] });
    await expectExactlyOnce(storage, fleet);
    for (const x of fleet) x.close();
  }, 60_000);

  it('stores a batch once when two replicas receive it at the same moment', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    await collector(pa);
    await collector(pb);
    const sent = agents('race', 1, `127.0.0.1:${pa}`)[0];
    if (sent === undefined) throw new Error('no agent');
    // Build batches without sending them: the spool holds them, we send each to both replicas.
    sent.close();
    for (let i = 0; i < 20; i++) sent.tick();
    const [ca, cb] = [createExportClient({ address: `127.0.0.1:${pa}` }), createExportClient({ address: `127.0.0.1:${pb}` })];
    for (const b of sent.spool.head(100)) {
      const req = b.load();
      if (req === undefined) throw new Error('batch vanished');
      const [ra, rb] = await Promise.all([ca.send(req, 5000), cb.send(req, 5000)]);
      expect([ra.status, rb.status]).toEqual(['ok', 'ok']);
    }
    const got = await storedCounts(storage, sent.id);
    expect(got.gpuRows).toBe(sent.generated.gpuRows);
    expect(got.eventRows).toBe(sent.generated.eventRows);
    // Both replicas may have written before either wrote the ledger: the raw table can hold the
    // batch twice until a merge; FINAL (and argMax by key) is exact.
    expect(got.gpuRowsRaw).toBeGreaterThanOrEqual(got.gpuRows);
    ca.close();
    cb.close();
  }, 60_000);
});
