// ClickHouse (a real child process of its own, on its own data dir) is SIGKILLed for a while and
// started again on the same ports: the collector reports it on /readyz and pushes back with
// UNAVAILABLE + retry-after-s; the agents' spools hold the data; nothing is lost or doubled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalClickHouse, type LocalClickHouse } from '@renderwatch/devkit';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestAgent, deliveryReport, every, exactReport, sleep, testStorage, until } from './delivery-harness.js';
import { startTestCollector } from './test-collector.js';

/** How long ClickHouse stays down: the 60 s (the test takes ~90 s in all). */
const OUTAGE_MS = 60_000;
/**
 * The drain after the outage fails when no spooled batch is acked for this long (a stuck collector,
 * e.g. a byte budget never given back), not after a fixed time: how fast ~250 batches drain depends
 * on how fast ClickHouse inserts on this shared machine (each round of 8 batches per agent waits for
 * one group INSERT into tables with materialized views, 0.6-2 s per round at load 8-17), and speed
 * lives in bench/, not in assertions.
 */
const STALL_MS = 30_000;

/** Resolves true once every spool is empty, false as soon as none of them shrank for `stallMs`. */
async function drainWithProgress(fleet: readonly { spool: { size: number } }[], stallMs: number): Promise<boolean> {
  const left = (): number => fleet.reduce((n, a) => n + a.spool.size, 0);
  let last = left();
  let lastChange = Date.now();
  while (last > 0) {
    await sleep(200);
    const now = left();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) return false;
  }
  return true;
}

describe('delivery across a ClickHouse outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-deliv-ch-'));
  let ch: LocalClickHouse | undefined;
  afterAll(async () => {
    await ch?.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'holds every row in the agents while ClickHouse is down, reports not-ready, and stores each row once after',
    async () => {
      ch = await startLocalClickHouse({ dataDir: join(dir, 'ch') });
      const { httpPort, tcpPort, interserverPort } = ch;
      const c = await startTestCollector(ch.url);
      const readyz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${c.httpPort}/readyz`)).status;
      const log = pino({ level: 'silent' });
      const fleet = [0, 1].map((i) => {
        const id = `chdown-${i}`;
        return Object.assign(createTestAgent({ agentId: id, hostname: `chdown-host-${i}`, address: `127.0.0.1:${c.grpcPort}`, spoolDir: join(dir, id), log }), {
          id,
        });
      });
      const stopTicks = every(500, () => fleet.forEach((a) => a.tick()));
      expect(await until(() => fleet.every((a) => a.acked.length >= 5), 15_000)).toBe(true);
      expect(await readyz()).toBe(200);

      await ch.kill();
      expect(await until(async () => (await readyz()) === 503, 5000)).toBe(true);
      const ackedAtOutage = fleet.map((a) => a.acked.length);
      await sleep(OUTAGE_MS);
      // Nothing was acknowledged while ClickHouse was down; the spools hold it all.
      expect(fleet.map((a) => a.acked.length)).toEqual(ackedAtOutage);
      expect(fleet.every((a) => a.spool.size >= (OUTAGE_MS / 500) * 0.8)).toBe(true);
      expect(await readyz()).toBe(503);
      const metrics = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/renderwatch_collector_exports_total\{outcome="unavailable"\} [1-9]/);

      ch = await startLocalClickHouse({ dataDir: join(dir, 'ch'), httpPort, tcpPort, interserverPort });
      expect(await until(async () => (await readyz()) === 200, 10_000)).toBe(true);
      await sleep(1000);
      stopTicks();
      const drained = await drainWithProgress(fleet, STALL_MS);
      expect({ drained, left: fleet.map((a) => a.spool.size) }).toEqual({ drained: true, left: [0, 0] });
      const storage = testStorage(ch.url, c.config.COLLECTOR_CLICKHOUSE_DATABASE);
      for (const a of fleet) expect(await deliveryReport(storage, a.id, a)).toEqual(exactReport(a.id, a));
      for (const a of fleet) a.close();
      await storage.close();
      await c.stop();
    },
    OUTAGE_MS + 240_000,
  );
});
