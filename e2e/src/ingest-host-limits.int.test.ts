// Issue 20, "limits per host": the GPUs, processes and extensions a host may report are collector
// config keys (COLLECTOR_MAX_GPUS_PER_HOST, _PROCESSES_PER_GPU, _EXTENSIONS_PER_START; defaults 64,
// 256, 500 in collector/src/config.ts, docs/ingest-limits.md). A collector configured with small
// limits keeps N and drops N+1 over the real gRPC path, counts each drop in /metrics, and its API
// answers list at most the configured GPUs per host.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { raw, sql } from '@renderwatch/collector';
import { ExportRequest, TelemetryServiceClient, type ExportResponse, type GpuSample } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rejectedValues, startTestCollector } from './test-collector.js';

let c: Awaited<ReturnType<typeof startTestCollector>>;
let client: TelemetryServiceClient;
const NOW = Date.now() - 5000;

beforeAll(async () => {
  c = await startTestCollector(inject('clickhouseUrl'), {
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_MAX_GPUS_PER_HOST: '3',
    COLLECTOR_MAX_PROCESSES_PER_GPU: '2',
    COLLECTOR_MAX_EXTENSIONS_PER_START: '4',
  });
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

const proc = (pid: number) => ({ pid, name: `python${pid}`, usedMemoryBytes: 1024 ** 3, runtime: 'comfyui' });
const gpu = (index: number, uuid: string, processes: number): Partial<GpuSample> => ({
  tsUnixMs: NOW,
  index,
  uuid,
  name: 'NVIDIA L4',
  temperatureCelsius: 50,
  intervalMs: 1000,
  processes: Array.from({ length: processes }, (_, i) => proc(100 + i)),
});
const start = (extensions: number, ts: number) => ({
  tsUnixMs: ts,
  runtime: 'comfyui',
  body: { $case: 'runtimeStart' as const, value: { version: '0.8.0', extensions: Array.from({ length: extensions }, (_, i) => `ext-${i}`) } },
});

const rejected = (): Promise<Map<string, number>> => rejectedValues(c.httpPort);

describe('per-host limits from the collector config', () => {
  it('keeps 3 GPUs, 2 processes per GPU and 4 extensions, drops the 4th GPU, 3rd process and 5th extension and counts them', async () => {
    const atLimit = ExportRequest.fromPartial({
      agentId: 'limits-agent',
      batchSeq: 1,
      host: { hostname: 'limits-host', labels: {} },
      gpuSamples: [gpu(0, 'GPU-a', 2), gpu(1, 'GPU-b', 2), gpu(2, 'GPU-c', 2)],
      events: [start(4, NOW)],
    });
    expect(await send(atLimit)).toEqual({ acceptedRows: 4, duplicate: false });
    expect(await rejected()).toEqual(new Map());

    const over = ExportRequest.fromPartial({
      agentId: 'limits-agent',
      batchSeq: 2,
      host: { hostname: 'limits-host', labels: {} },
      // GPU-d is a 4th distinct GPU at an allowed index; index 3 is outside 0..2
      gpuSamples: [gpu(0, 'GPU-a', 3), gpu(1, 'GPU-b', 2), gpu(2, 'GPU-c', 2), gpu(0, 'GPU-d', 1), gpu(3, 'GPU-e', 1)],
      events: [start(5, NOW + 1)],
    });
    expect(await send(over)).toEqual({ acceptedRows: 4, duplicate: false });
    expect(await rejected()).toEqual(
      new Map([
        ['gpu_samples.processes/over_limit', 1],
        ['gpu_samples.gpus/over_limit', 1],
        ['gpu_samples.index/out_of_range', 1],
        ['runtime_events.extensions/over_limit', 1],
      ]),
    );
    const procs = await c.storage.query<{ uuid: string; n: string }>(
      sql`SELECT gpu_uuid AS uuid, toString(max(length(process_pids))) AS n FROM gpu_samples WHERE host = 'limits-host' GROUP BY gpu_uuid ORDER BY gpu_uuid`,
    );
    expect(procs.map((p) => [p.uuid, Number(p.n)])).toEqual([
      ['GPU-a', 2],
      ['GPU-b', 2],
      ['GPU-c', 2],
    ]);
    const exts = await c.storage.query<{ n: string }>(
      sql`SELECT toString(length(extensions)) AS n FROM runtime_events WHERE host = 'limits-host' AND kind = 'runtime_start' ORDER BY ts_ms`,
    );
    expect(exts.map((e) => Number(e.n))).toEqual([4, 4]);
  });

  it('answers at most 3 GPUs per host when a host has stored more over several batches', async () => {
    // Two batches within the limit each: 4 distinct GPUs of one host in ClickHouse.
    const base = { agentId: 'wide-agent', host: { hostname: 'wide-host', labels: {} } };
    expect(
      await send(ExportRequest.fromPartial({ ...base, batchSeq: 1, gpuSamples: [gpu(0, 'GPU-w0', 0), gpu(1, 'GPU-w1', 0), gpu(2, 'GPU-w2', 0)] })),
    ).toEqual({
      acceptedRows: 3,
      duplicate: false,
    });
    expect(await send(ExportRequest.fromPartial({ ...base, batchSeq: 2, gpuSamples: [gpu(0, 'GPU-w3', 0)] }))).toEqual({ acceptedRows: 1, duplicate: false });
    const stored = await c.storage.query<{ n: string }>(sql`SELECT toString(uniqExact(gpu_uuid)) AS n FROM gpu_samples WHERE host = 'wide-host'`);
    expect(Number(stored[0]?.n)).toBe(4);
    const fleet = (await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/fleet`)).json()) as { hosts: { host: string; gpus: unknown[] }[] };
    expect(fleet.hosts.find((h) => h.host === 'wide-host')?.gpus.length).toBe(3);
    const range = `from=${new Date(NOW - 600_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`;
    const series = (await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/hosts/wide-host/series?${range}`)).json()) as { gpus: unknown[] };
    expect(series.gpus.length).toBe(3);
  });
});
