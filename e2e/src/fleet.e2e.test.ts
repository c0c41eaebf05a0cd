// Foundation end to end: agent export path → gRPC → collector → ClickHouse → API → dashboard in a
// real Chromium. Asserts the page shows the exact values the agent sent, and updates live.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpuSnapshot } from '@renderwatch/agent';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import type { ExportRequest } from '@renderwatch/proto';
import { createSimulatedFleet } from '@renderwatch/simulator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type TestBrowser } from './browser.js';
import { startTestCollector } from './test-collector.js';

const MiB = 1024 * 1024;
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard', 'dist', 'index.html');

function exportOf(seq: number, gpus: GpuSnapshot[]): ExportRequest {
  let out: ExportRequest | undefined;
  const b = createBatcher({
    agentId: 'agent-e2e-1',
    host: { hostname: 'e2e-render-01', driverVersion: '595.80', cudaVersion: '13.0', agentVersion: '0.1.0', labels: {} },
    firstSeq: seq,
    maxRows: 100,
    flushIntervalMs: 60_000,
    deliver: (r) => {
      out = r;
    },
  });
  b.addGpus(gpus);
  b.flush();
  if (out === undefined) throw new Error('no batch cut');
  return out;
}

function l40s(ts: number, index: number, util: number, temp: number, usedMiB: number): GpuSnapshot {
  return {
    ts_unix_ms: ts,
    index,
    uuid: `GPU-e2e-000${index}`,
    name: 'NVIDIA L40S',
    utilization_gpu_ratio: util,
    memory_used_bytes: usedMiB * MiB,
    memory_total_bytes: 46068 * MiB,
    temperature_celsius: temp,
    power_draw_watts: 281,
    power_limit_watts: 350,
  };
}

describe('fleet page, end to end in Chromium', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let b: TestBrowser;
  let fleet: ReturnType<typeof createSimulatedFleet>;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error('dashboard/dist is missing: build it first (`pnpm --filter @renderwatch/dashboard build`; npm test does)');
    c = await startTestCollector(inject('clickhouseUrl'));
    fleet = createSimulatedFleet({ hosts: 3, address: `127.0.0.1:${c.grpcPort}`, log: pino({ level: 'silent' }), seed: 7, prefix: 'sim' });
    fleet.start();
    b = await launchChromium();
  });
  afterAll(async () => {
    await b?.close();
    await fleet?.stop(2000);
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
  });

  it('shows the host and the same values the agent sent, then updates live', async () => {
    const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
    const t0 = Date.now() - 1000;
    const first = await client.send(exportOf(1, [l40s(t0, 0, 0.73, 64, 20480), l40s(t0, 1, 0.05, 38, 1024)]), 5000);
    expect(first.status).toBe('ok');

    const page = await b.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${c.httpPort}/`);
    const row = page.locator('[data-testid="host-row"][data-host="e2e-render-01"]');
    await row.waitFor({ timeout: 20_000 });
    const gpu0 = row.locator('[data-testid="gpu"][data-gpu-index="0"]');
    const gpu1 = row.locator('[data-testid="gpu"][data-gpu-index="1"]');
    await expect.poll(() => gpu0.locator('[data-testid="gpu-util"]').innerText()).toBe('73%');
    expect(await gpu0.locator('[data-testid="gpu-temp"]').innerText()).toBe('64 °C');
    expect(await gpu0.locator('[data-testid="gpu-mem"]').innerText()).toBe('20.0 / 45.0 GiB');
    expect(await gpu1.locator('[data-testid="gpu-util"]').innerText()).toBe('5%');
    expect(await gpu1.locator('[data-testid="gpu-temp"]').innerText()).toBe('38 °C');
    // The simulated hosts are listed too: 3 simulated + this one.
    await expect.poll(() => page.locator('[data-testid="host-count"]').innerText(), { timeout: 20_000 }).toMatch(/^4 hosts?/);
    for (const h of ['sim-01', 'sim-02', 'sim-03']) {
      expect(await page.locator(`[data-testid="host-row"][data-host="${h}"]`).count()).toBe(1);
    }

    // A new sample reaches the open page without a reload.
    const second = await client.send(exportOf(2, [l40s(Date.now(), 0, 0.41, 71, 30720), l40s(Date.now(), 1, 0.05, 38, 1024)]), 5000);
    expect(second.status).toBe('ok');
    await expect.poll(() => gpu0.locator('[data-testid="gpu-util"]').innerText(), { timeout: 20_000 }).toBe('41%');
    expect(await gpu0.locator('[data-testid="gpu-temp"]').innerText()).toBe('71 °C');
    expect(await gpu0.locator('[data-testid="gpu-mem"]').innerText()).toBe('30.0 / 45.0 GiB');
    expect(errors).toEqual([]);
    client.close();
    await page.close();
  });
});
