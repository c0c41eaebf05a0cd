import { Metadata, status } from '@grpc/grpc-js';
import type { GpuSnapshot } from '@renderwatch/agent';
import { createExportClient, createBatcher } from '@renderwatch/agent/harness';
import { TelemetryServiceClient, type ExportRequest } from '@renderwatch/proto';
import { credentials } from '@grpc/grpc-js';
import { FleetResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { raw } from '@renderwatch/collector';
import { startTestCollector } from './test-collector.js';

const MiB = 1024 * 1024;

function gpu(ts: number, over: Partial<GpuSnapshot> = {}): GpuSnapshot {
  return {
    ts_unix_ms: ts,
    index: 0,
    uuid: 'GPU-aaaa-0001',
    name: 'NVIDIA L40S',
    utilization_gpu_ratio: 0.73,
    memory_used_bytes: 20480 * MiB,
    memory_total_bytes: 46068 * MiB,
    temperature_celsius: 64,
    power_draw_watts: 281.5,
    power_limit_watts: 350,
    clock_event_reasons_mask: 0x20,
    ...over,
  };
}

function request(seq: number, ts: number, over: Partial<ExportRequest> = {}): ExportRequest {
  let built: ExportRequest | undefined;
  const b = createBatcher({
    agentId: 'agent-int-1',
    host: { hostname: 'render-01', driverVersion: '595.80', cudaVersion: '13.0', agentVersion: '0.1.0', labels: {} },
    firstSeq: seq,
    maxRows: 10_000,
    flushIntervalMs: 60_000,
    deliver: (r) => {
      built = r;
    },
  });
  b.addGpus([gpu(ts), gpu(ts, { index: 1, uuid: 'GPU-aaaa-0002', utilization_gpu_ratio: 0.1, temperature_celsius: 41, clock_event_reasons_mask: 1 })]);
  b.addEvent({
    ts_unix_ms: ts,
    event: { kind: 'job_end', runtime: 'comfyui', job_id: 'j1', duration_s: 12.5, outcome: 'ok', images: 4, width: 1024, height: 1024 },
  });
  b.flush();
  if (built === undefined) throw new Error('no batch');
  return { ...built, ...over };
}

describe('collector ingest over gRPC into ClickHouse', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let address: string;
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'));
    address = `127.0.0.1:${c.grpcPort}`;
  });
  afterAll(async () => {
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
  });

  it('stores wide GPU rows and events and serves them on /api/v1/fleet', async () => {
    const client = createExportClient({ address });
    const ts = Date.now() - 2000;
    const r = await client.send(request(1, ts), 5000);
    expect(r.status).toBe('ok');
    if (r.status === 'ok') expect(r.response.acceptedRows).toBe(3);
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/fleet`);
    const json: unknown = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(200);
    const body = FleetResponseSchema.parse(json);
    expect(body.hosts).toHaveLength(1);
    const h = body.hosts[0];
    expect(h?.host).toBe('render-01');
    expect(h?.driver_version).toBe('595.80');
    expect(h?.silent).toBe(false);
    expect(h?.gpus.map((g) => g.uuid)).toEqual(['GPU-aaaa-0001', 'GPU-aaaa-0002']);
    expect(h?.gpus[0]?.utilization_ratio).toBeCloseTo(0.73, 5);
    expect(h?.gpus[0]?.memory_used_bytes).toBe(20480 * MiB);
    expect(h?.gpus[0]?.temperature_celsius).toBe(64);
    expect(h?.gpus[0]?.clock_event_reasons).toEqual(['sw_thermal_slowdown']);
    expect(h?.gpus[1]?.clock_event_reasons).toEqual(['gpu_idle']);
    const jobs = await c.storage.query<{ duration_s: number; images: number; outcome: string }>(
      raw("SELECT duration_s, images, outcome FROM runtime_events WHERE kind = 'job_end'"),
    );
    expect(jobs).toEqual([{ duration_s: 12.5, images: 4, outcome: 'ok' }]);
    client.close();
  });

  it('acknowledges a re-sent batch as a duplicate and stores it once', async () => {
    const client = createExportClient({ address });
    const req = request(7, Date.now() - 1000);
    const first = await client.send(req, 5000);
    const second = await client.send(req, 5000);
    expect(first.status === 'ok' && first.response.duplicate).toBe(false);
    expect(second.status === 'ok' && second.response.duplicate).toBe(true);
    const rows = await c.storage.query<{ c: string }>(raw('SELECT count() AS c FROM gpu_samples FINAL WHERE batch_seq = 7'));
    expect(Number(rows[0]?.c)).toBe(2);
    client.close();
  });

  it('answers INVALID_ARGUMENT for a missing agent_id and keeps serving', async () => {
    const client = createExportClient({ address });
    const bad = await client.send(request(9, Date.now(), { agentId: '' }), 5000);
    expect(bad.status).toBe('failed');
    if (bad.status === 'failed') {
      expect((bad.error as Error & { code: number }).code).toBe(status.INVALID_ARGUMENT);
      expect(bad.error.message).toMatch(/agent_id/);
    }
    const good = await client.send(request(10, Date.now()), 5000);
    expect(good.status).toBe('ok');
    client.close();
  });

  it('answers INVALID_ARGUMENT for a malformed protobuf body and keeps serving', async () => {
    // A raw client that sends bytes which are not an ExportRequest.
    const rawClient = new TelemetryServiceClient(address, credentials.createInsecure());
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const code = await new Promise<number>((resolve) => {
      rawClient.makeUnaryRequest(
        '/renderwatch.telemetry.v1.TelemetryService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        new Metadata(),
        (err) => resolve(err?.code ?? 0),
      );
    });
    expect([status.INTERNAL, status.INVALID_ARGUMENT]).toContain(code);
    rawClient.close();
    const client = createExportClient({ address });
    expect((await client.send(request(11, Date.now()), 5000)).status).toBe('ok');
    client.close();
  });

  it('reports ready while ClickHouse answers', async () => {
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/readyz`);
    expect(res.status).toBe(200);
    const openapi = (await (await fetch(`http://127.0.0.1:${c.httpPort}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/api/v1/fleet');
  });
});
