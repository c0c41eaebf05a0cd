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
      const drained = await Promise.all(fleet.map((a) => a.drain(45_000)));
      expect({ drained, left: fleet.map((a) => a.spool.size) }).toMatchObject({ drained: [true, true] });
      const storage = testStorage(ch.url, c.config.COLLECTOR_CLICKHOUSE_DATABASE);
      for (const a of fleet) expect(await deliveryReport(storage, a.id, a)).toEqual(exactReport(a.id, a));
      for (const a of fleet) a.close();
      await storage.close();
      await c.stop();
    },
    OUTAGE_MS + 100_000,
  );
});
