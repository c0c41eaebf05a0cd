// An agent on ExportStream across a graceful collector stop (issue 17): the collector acks the
// batch it was writing when told to stop, ends the stream with a retryable status, and the agent's
// next batch opens a new stream on the collector that replaced it (same address, same ClickHouse),
// where a batch sent again is a duplicate (the ledger outlives the process).
import { createExportClient } from '@renderwatch/agent/harness';
import { raw, sql } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { ExportRequest } from '@renderwatch/proto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const NOW = Date.now() - 5000;
const AGENT = 'stop-stream-agent';

/** 2 GPU rows + 1 host row. */
const batch = (seq: number): ExportRequest =>
  ExportRequest.fromPartial({
    agentId: AGENT,
    batchSeq: seq,
    host: { hostname: 'stop-host', labels: {} },
    gpuSamples: [0, 1].map((i) => ({ tsUnixMs: NOW + seq * 1000, index: i, uuid: `GPU-stop-${i}`, name: 'L4', powerDrawWatts: 70 })),
    hostSamples: [{ tsUnixMs: NOW + seq * 1000, cpuRatio: 0.5 }],
  });

/** The collector's `renderwatch_collector_grpc_decoded_bytes_total` (bytes of messages read). */
async function decodedBytes(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return Number(/^renderwatch_collector_grpc_decoded_bytes_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of running) await c.stop().catch(() => undefined);
});

describe('ExportStream across a graceful collector stop', () => {
  it('acks the batch being written, ends the stream retryably, and the agent continues on the next collector without a duplicate row', async () => {
    const port = await freePort();
    // A long linger: batch 2 is still waiting for its group when the stop begins.
    const env = { COLLECTOR_GRPC_PORT: String(port), COLLECTOR_INGEST_LINGER_MS: '1500' };
    const first = await startTestCollector(inject('clickhouseUrl'), env);
    running.push(first);
    const db = first.config.COLLECTOR_CLICKHOUSE_DATABASE;
    const client = createExportClient({ address: `127.0.0.1:${port}`, stream: true });
    try {
      expect(await client.send(batch(1), 30_000)).toMatchObject({ status: 'ok', response: { acceptedRows: 3, duplicate: false } });
      const before = await decodedBytes(first.httpPort);
      const second = client.send(batch(2), 30_000);
      for (let i = 0; i < 200 && (await decodedBytes(first.httpPort)) === before; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await decodedBytes(first.httpPort)).toBeGreaterThan(before); // the collector has read batch 2
      await first.stop();
      // Received before the stop: written and acknowledged, not cut.
      expect(await second).toMatchObject({ status: 'ok', response: { acceptedRows: 3, duplicate: false } });
      // Nobody listens now: retryable, never failed.
      expect((await client.send(batch(3), 30_000)).status).toBe('retryable');

      const next = await startTestCollector(inject('clickhouseUrl'), { ...env, COLLECTOR_CLICKHOUSE_DATABASE: db });
      running.push(next);
      let third = await client.send(batch(3), 30_000);
      for (let i = 0; i < 20 && third.status === 'retryable'; i++) {
        await new Promise((r) => setTimeout(r, 500)); // the channel reconnects with a backoff of 0.5-5 s
        third = await client.send(batch(3), 30_000);
      }
      expect(third).toMatchObject({ status: 'ok', response: { acceptedRows: 3, duplicate: false } });
      expect(await client.send(batch(2), 30_000)).toMatchObject({ status: 'ok', response: { acceptedRows: 0, duplicate: true } });
      const [n] = await next.storage.query<{ n: string }>(sql`SELECT count() AS n FROM gpu_samples FINAL WHERE agent_id = ${AGENT}`);
      expect(Number(n?.n)).toBe(6);
      await next.storage.command(raw(`DROP DATABASE IF EXISTS ${db}`));
    } finally {
      client.close();
    }
  });
});
