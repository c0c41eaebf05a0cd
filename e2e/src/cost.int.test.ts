// GPU-hours and energy end to end: the agent's batcher (which puts interval_ms and
// energy_delta_joules on every GPU sample) → its gRPC export client → the collector → the
// gpu_cost rollups → GET /api/v1/cost. The expected figures are worked out here from the readings.
import type { GpuSnapshot } from '@renderwatch/agent';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import type { ExportRequest } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

/** GPU 0's energy counter at tick i: +275 J a tick, restarting near 0 at tick 8 (a driver reload). */
const energy = (i: number): number => (i < 8 ? 2_000_000 + 275 * i : 40 + 275 * (i - 8));

describe('GET /api/v1/cost from what the agent sends', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_GPU_PRICES: 'L40S=1.80', COLLECTOR_INGEST_LINGER_MS: '0' });
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
  });

  it('adds up the sampled time and the energy counter increases, across a reset and a missed tick', async () => {
    // 12 ticks a second apart; GPU 0 misses tick 5 and its counter restarts at tick 8 (driver
    // reload); GPU 1 has no energy counter.
    const t0 = Date.now() - 30_000;
    const ticks = Array.from({ length: 12 }, (_, i) => i);
    const batches: ExportRequest[] = [];
    const b = createBatcher({
      agentId: 'agent-cost-1',
      host: { hostname: 'render-cost', driverVersion: '595.80', cudaVersion: '13.0', agentVersion: '0.1.0', labels: {} },
      firstSeq: 1,
      maxRows: 10_000,
      flushIntervalMs: 60_000,
      sampleIntervalMs: 1000,
      deliver: (r) => batches.push(r),
    });
    for (const i of ticks) {
      const gpus: GpuSnapshot[] = [{ ts_unix_ms: t0 + i * 1000, index: 1, uuid: 'GPU-cost-1', name: 'NVIDIA L40S', utilization_gpu_ratio: 0.5 }];
      if (i !== 5)
        gpus.unshift({ ts_unix_ms: t0 + i * 1000, index: 0, uuid: 'GPU-cost-0', name: 'NVIDIA L40S', utilization_gpu_ratio: 0.9, energy_joules: energy(i) });
      b.addGpus(gpus);
      if (i % 4 === 3) b.flush();
    }
    b.flush();
    const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
    for (const r of batches) expect((await client.send(r, 10_000)).status).toBe('ok');
    client.close();

    // GPU 0: the first sample stands for one interval, each later one for the time since the one
    // before (2 s after the missed tick): 1 s + 11 s. GPU 1: 12 samples a second apart: 12 s.
    const gpu0 = ticks.filter((i) => i !== 5);
    let joules = 0;
    for (let k = 1; k < gpu0.length; k++) {
      const [prev, cur] = [energy(gpu0[k - 1] ?? 0), energy(gpu0[k] ?? 0)];
      joules += cur >= prev ? cur - prev : cur;
    }
    expect(joules).toBe(275 * 7 + 40 + 275 * 3); // ticks 0-4 and 4-7 (7 steps, 2 of them across the missed tick), the reading after the reset, ticks 8-11
    const seconds = 12 + 12;

    const from = new Date(t0 - 3600_000).toISOString();
    const to = new Date(t0 + 3600_000).toISOString();
    await expect
      .poll(
        async () => {
          const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/cost?from=${from}&to=${to}`);
          const body = (await res.json()) as {
            gpu_models: { gpu_name: string; gpus: number; gpu_hours: number; energy_kwh: number | null; cost: number | null }[];
          };
          return body.gpu_models.map((m) => ({
            ...m,
            gpu_hours: Math.round(m.gpu_hours * 3600 * 1000) / 1000,
            energy_kwh: m.energy_kwh === null ? null : Math.round(m.energy_kwh * 3.6e6 * 1000) / 1000,
          }));
        },
        { timeout: 15_000 },
      )
      .toEqual([expect.objectContaining({ gpu_name: 'NVIDIA L40S', gpus: 2, gpu_hours: seconds, energy_kwh: joules })]);
  });
});
