// Issue 20 items 6 and 7: the probe's impossible values and its 102,000-GPU host. Before
// ingest/validate.ts they were stored and served (power -inf W, 1e30 °C, -500 °C, 1e300 J and then
// 2.8e293 kWh on /cost, 4,294,967,295 images of -1 s, a -1e9 s startup, GPU index 70000 wrapped to
// 4464, a 1 MB GPU name, /api/v1/fleet of 28 MB). Now each value is rejected on its own, the rest
// of the batch is stored, the collector's /metrics count the rejections by field and reason, and
// a host has at most 64 GPUs.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { raw, sql } from '@renderwatch/collector';
import { ExportRequest, RuntimeEvent, TelemetryServiceClient, type ExportResponse, type GpuSample } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rejectedValues, startTestCollector } from './test-collector.js';

let c: Awaited<ReturnType<typeof startTestCollector>>;
let client: TelemetryServiceClient;
const NOW = Date.now() - 5000;

beforeAll(async () => {
  c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_API_CACHE_TTL_MS: '0' });
  client = new TelemetryServiceClient(`127.0.0.1:${c.grpcPort}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
  await c.stop();
});

function send(req: ExportRequest): Promise<ExportResponse> {
  return new Promise((resolve, reject) =>
    client.export(req, new Metadata(), (err: ServiceError | null, r?: ExportResponse) => (err ? reject(err) : resolve(r!))),
  );
}

const gpu = (index: number, over: Partial<GpuSample> = {}): Partial<GpuSample> => ({
  tsUnixMs: NOW,
  index,
  uuid: `GPU-probe-${index}`,
  name: 'NVIDIA L4',
  temperatureCelsius: 50,
  powerDrawWatts: 70,
  intervalMs: 1000,
  energyDeltaJoules: 70,
  ...over,
});

const metrics = (): Promise<Map<string, number>> => rejectedValues(c.httpPort);

describe('physical ranges on ingest', () => {
  it("rejects the probe's impossible values one by one, keeps the rest of the batch and counts each by field and reason", async () => {
    const req = ExportRequest.fromPartial({
      agentId: 'probe-agent',
      batchSeq: 1,
      host: { hostname: 'probe-host', labels: {} },
      gpuSamples: [
        gpu(0, { powerDrawWatts: Number.NEGATIVE_INFINITY, temperatureCelsius: 1e30, energyJoules: 1e300, energyDeltaJoules: 1e300 }),
        gpu(1, { temperatureCelsius: -500 }),
        gpu(70000),
        gpu(2, { name: 'x'.repeat(1024 * 1024) }),
      ],
      events: [
        RuntimeEvent.fromPartial({
          tsUnixMs: NOW,
          kind: 'job_end',
          runtime: 'comfyui',
          body: { $case: 'jobEnd', value: { jobId: 'j1', images: 4_294_967_295, durationS: -1, width: 1024, outcome: 'ok' } },
        }),
        RuntimeEvent.fromPartial({ tsUnixMs: NOW, kind: 'runtime_ready', runtime: 'comfyui', body: { $case: 'runtimeReady', value: { startupS: -1e9 } } }),
      ],
    });
    // 6 rows sent; the GPU index 70000 row is the one dropped
    expect(await send(req)).toEqual({ acceptedRows: 5, duplicate: false });

    const rows = await c.storage.query<{
      gpu_index: number;
      gpu_name: string;
      temp_celsius: number | null;
      power_draw_watts: number | null;
      energy_joules: number | null;
      energy_delta_joules: number | null;
    }>(
      sql`SELECT gpu_index, gpu_name, temp_celsius, power_draw_watts, energy_joules, energy_delta_joules FROM gpu_samples WHERE host = 'probe-host' ORDER BY gpu_index`,
    );
    expect(rows).toEqual([
      { gpu_index: 0, gpu_name: 'NVIDIA L4', temp_celsius: null, power_draw_watts: null, energy_joules: null, energy_delta_joules: null },
      { gpu_index: 1, gpu_name: 'NVIDIA L4', temp_celsius: null, power_draw_watts: 70, energy_joules: null, energy_delta_joules: 70 },
      { gpu_index: 2, gpu_name: '', temp_celsius: 50, power_draw_watts: 70, energy_joules: null, energy_delta_joules: 70 },
    ]);
    const events = await c.storage.query<{ kind: string; images: number | null; duration_s: number | null; width: number | null; startup_s: number | null }>(
      sql`SELECT kind, images, duration_s, width, startup_s FROM runtime_events WHERE host = 'probe-host' ORDER BY kind`,
    );
    expect(events).toEqual([
      { kind: 'job_end', images: null, duration_s: null, width: 1024, startup_s: null },
      { kind: 'runtime_ready', images: null, duration_s: null, width: null, startup_s: null },
    ]);

    expect(Object.fromEntries(await metrics())).toEqual({
      'gpu_samples.power_draw_watts/not_finite': 1,
      'gpu_samples.temperature_celsius/out_of_range': 2,
      'gpu_samples.energy_joules/out_of_range': 1,
      'gpu_samples.energy_delta_joules/out_of_range': 1,
      'gpu_samples.index/out_of_range': 1,
      'gpu_samples.name/too_long': 1,
      'runtime_events.images/out_of_range': 1,
      'runtime_events.duration_s/out_of_range': 1,
      'runtime_events.startup_s/out_of_range': 1,
    });
    // /cost sums energy_delta_joules: 70 J + 70 J from the two sane rows, not 1e300
    const cost = (await (
      await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/cost?from=${new Date(NOW - 3_600_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`)
    ).json()) as {
      total?: { energy_kwh?: number };
    };
    expect(JSON.stringify(cost)).not.toMatch(/e\+\d{2,}/);
  });

  it('keeps at most 64 GPUs per host: the 65th GPU of a batch and beyond are dropped and counted, /api/v1/fleet lists 64', async () => {
    const req = ExportRequest.fromPartial({
      agentId: 'wide-agent',
      batchSeq: 1,
      host: { hostname: 'wide-host', labels: {} },
      // 100 distinct GPUs, indexes 0..63 then uuids that reuse indexes: the limit is on distinct GPUs
      gpuSamples: Array.from({ length: 100 }, (_, i) => gpu(i % 64, { uuid: `GPU-wide-${i}` })),
    });
    expect(await send(req)).toEqual({ acceptedRows: 64, duplicate: false });
    expect((await metrics()).get('gpu_samples.gpus/over_limit')).toBe(36);
    // A second batch with 36 other GPUs is stored (each batch is within the limit): 100 GPUs in
    // ClickHouse for the host, but the API answers cap them at 64 per host.
    const more = ExportRequest.fromPartial({ ...req, batchSeq: 2, gpuSamples: Array.from({ length: 36 }, (_, i) => gpu(i, { uuid: `GPU-wide-${64 + i}` })) });
    expect(await send(more)).toEqual({ acceptedRows: 36, duplicate: false });
    const stored = await c.storage.query<{ n: string }>(sql`SELECT uniqExact(gpu_uuid) AS n FROM gpu_samples WHERE host = 'wide-host'`);
    expect(Number(stored[0]?.n)).toBe(100);
    const fleet = (await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/fleet`)).json()) as { hosts: { host: string; gpus: unknown[] }[] };
    expect(fleet.hosts.find((h) => h.host === 'wide-host')?.gpus.length).toBe(64);
    const range = `from=${new Date(NOW - 600_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`;
    const series = (await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/hosts/wide-host/series?${range}`)).json()) as {
      gpus: unknown[];
      processes?: unknown[];
    };
    expect(series.gpus.length).toBe(64);
  });
});
