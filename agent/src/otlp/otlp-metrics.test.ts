import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentObserver } from '../agent.js';
import type { GpuSnapshot } from '../sampling/sampler.js';
import { createOtlpExporter, httpMetricsUrl } from './otlp-exporter.js';
import { createOtlpMetrics, type OtlpMetrics } from './otlp-metrics.js';
import { decodeExportMetricsRequest, decodeJsonExportMetricsRequest, type DecodedMetric, type DecodedResourceMetrics } from './otlp-request-decoder.js';

const GPU: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 1,
  uuid: 'GPU-5b1e',
  name: 'NVIDIA GeForce RTX 4090',
  driver_version: '590.44',
  utilization_gpu_ratio: 0.75,
  memory_used_bytes: 12_884_901_888,
  memory_total_bytes: 25_769_803_776,
  power_draw_watts: 390,
  temperature_celsius: 68,
  energy_joules: 5000,
  ecc_uncorrected_total: 1,
  clock_event_reasons_mask: 0x40,
};

interface Received {
  url: string;
  requests: { headers: Record<string, string | string[] | undefined>; body: DecodedResourceMetrics[] }[];
  close(): Promise<void>;
}

/** A minimal OTLP/HTTP receiver on 127.0.0.1:0 that decodes protobuf (or JSON) bodies on /v1/metrics. */
async function httpReceiver(): Promise<Received> {
  const requests: Received['requests'] = [];
  const server: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics' && req.headers['content-type'] === 'application/x-protobuf') {
        requests.push({ headers: req.headers, body: decodeExportMetricsRequest(Buffer.concat(chunks)) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } else if (req.url === '/v1/metrics' && req.headers['content-type'] === 'application/json') {
        requests.push({ headers: req.headers, body: decodeJsonExportMetricsRequest(JSON.parse(Buffer.concat(chunks).toString('utf8'))) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(415).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** A minimal OTLP/gRPC receiver: MetricsService/Export with raw protobuf bodies. */
async function grpcReceiver(): Promise<Received> {
  const requests: Received['requests'] = [];
  const server = new Server();
  const definition: ServiceDefinition = {
    Export: {
      path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: () => Buffer.alloc(0),
      responseDeserialize: (b: Buffer) => b,
    },
  };
  server.addService(definition, {
    Export: (call: { request: Buffer; metadata: { getMap(): Record<string, unknown> } }, cb: (e: null, r: Buffer) => void) => {
      requests.push({ headers: call.metadata.getMap() as Record<string, string>, body: decodeExportMetricsRequest(call.request) });
      cb(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}

function metricsOf(r: Received): Map<string, DecodedMetric> {
  const out = new Map<string, DecodedMetric>();
  for (const req of r.requests) for (const rm of req.body) for (const s of rm.scopes) for (const m of s.metrics) out.set(m.name, m);
  return out;
}

describe('createOtlpMetrics', () => {
  let receiver: Received | undefined;
  let otlp: OtlpMetrics | undefined;
  afterEach(async () => {
    await otlp?.shutdown();
    await receiver?.close();
    otlp = undefined;
    receiver = undefined;
  });

  it.each([
    ['http/protobuf', httpReceiver],
    ['http/json', httpReceiver],
    ['grpc', grpcReceiver],
  ] as const)('exports hw.gpu.* and renderwatch.* over %s with host.* resource attributes', async (protocol, start) => {
    receiver = await start();
    const exporter = createOtlpExporter({ endpoint: receiver.url, protocol, headers: { 'x-tenant': 'studio-a' }, timeoutMs: 5000 });
    otlp = createOtlpMetrics({ exporter, intervalMs: 60_000, timeoutMs: 5000, hostName: 'render-07', agentId: 'agent-render-07', agentVersion: '0.1.0' });
    otlp.observeGpus([GPU]);
    otlp.observeEvent({ kind: 'job_end', runtime: 'comfyui', outcome: 'oom', duration_s: 8, images: 0 });
    otlp.observeEvent({ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', duration_s: 14, images: 4 });
    otlp.observeEvent({ kind: 'oom', runtime: 'comfyui', cause: 'batch' });
    otlp.observeGpuStatus([{ ts_unix_ms: 0, gpu_index: 1, gpu_uuid: 'GPU-5b1e', status: 'xid', xid: 79, detail: '' }]);
    await otlp.forceFlush();

    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests[0]?.headers['x-tenant']).toBe('studio-a');
    const resource = receiver.requests[0]?.body[0]?.resource;
    expect(resource).toMatchObject({
      'host.name': 'render-07',
      'service.name': 'renderwatch-agent',
      'service.instance.id': 'agent-render-07',
      'service.version': '0.1.0',
    });

    const m = metricsOf(receiver);
    const gpuAttrs = {
      'hw.id': 'GPU-5b1e',
      'hw.type': 'gpu',
      'hw.vendor': 'NVIDIA',
      'hw.name': 'NVIDIA GeForce RTX 4090',
      'hw.model': 'NVIDIA GeForce RTX 4090',
      'hw.driver_version': '590.44',
      'renderwatch.gpu.index': 1,
    };
    expect(m.get('hw.gpu.utilization')).toMatchObject({
      kind: 'gauge',
      unit: '1',
      points: [{ value: 0.75, attributes: { ...gpuAttrs, 'hw.gpu.task': 'general' } }],
    });
    expect(m.get('hw.gpu.memory.usage')).toMatchObject({
      kind: 'sum',
      monotonic: false,
      unit: 'By',
      points: [{ value: 12_884_901_888, attributes: gpuAttrs }],
    });
    expect(m.get('hw.gpu.memory.limit')?.points[0]?.value).toBe(25_769_803_776);
    expect(m.get('hw.gpu.memory.utilization')?.points[0]?.value).toBe(0.5);
    expect(m.get('hw.power')).toMatchObject({ unit: 'W', points: [{ value: 390 }] });
    expect(m.get('hw.temperature')).toMatchObject({ unit: 'Cel', points: [{ value: 68 }] });
    expect(m.get('hw.energy')).toMatchObject({ kind: 'sum', monotonic: true, unit: 'J', points: [{ value: 5000 }] });
    expect(m.get('hw.errors')?.points).toEqual([{ value: 1, attributes: { ...gpuAttrs, 'error.type': 'uncorrected' } }]);
    const active = m
      .get('renderwatch.gpu.clock_event.active')
      ?.points.filter((p) => p.value === 1)
      .map((p) => p.attributes['renderwatch.clock_event.reason']);
    expect(active).toEqual(['hw_thermal_slowdown']);
    const jobs = m.get('renderwatch.jobs')?.points.map((p) => [p.attributes['renderwatch.job.outcome'], p.value]);
    expect(jobs).toEqual(
      expect.arrayContaining([
        ['ok', 1],
        ['oom', 1],
      ]),
    );
    expect(m.get('renderwatch.images')?.points[0]?.value).toBe(4);
    const hist = m.get('renderwatch.job.duration')?.points.find((p) => p.attributes['renderwatch.job.outcome'] === 'ok');
    expect(hist).toMatchObject({ count: 1, sum: 14 });
    expect(m.get('renderwatch.oom.errors')?.points).toEqual([{ value: 1, attributes: { 'renderwatch.runtime': 'comfyui', 'renderwatch.oom.cause': 'batch' } }]);
    expect(m.get('renderwatch.gpu.xid.errors')?.points[0]).toMatchObject({ value: 1, attributes: { 'renderwatch.gpu.xid': '79' } });
    // docs/metrics.md lists every exported name.
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/metrics.md'), 'utf8');
    for (const name of m.keys()) expect(doc, name).toContain(`| \`${name}\` |`);
  });

  it('leaves out a GPU value the sample did not have', async () => {
    receiver = await httpReceiver();
    otlp = createOtlpMetrics({
      exporter: createOtlpExporter({ endpoint: receiver.url, protocol: 'http/protobuf', timeoutMs: 5000 }),
      intervalMs: 60_000,
      timeoutMs: 5000,
      hostName: 'h',
      agentId: 'a',
    });
    const observer: AgentObserver = otlp; // createAgent({ observers: [otlp] }) type-checks
    observer.observeGpus?.([{ ts_unix_ms: 0, index: 0, uuid: 'GPU-x', memory_used_bytes: 10 }]);
    await otlp.forceFlush();
    const m = metricsOf(receiver);
    expect(m.get('hw.gpu.memory.usage')?.points[0]?.value).toBe(10);
    expect(m.get('hw.gpu.utilization')?.points ?? []).toEqual([]);
    expect(m.get('hw.power')?.points ?? []).toEqual([]);
  });
});

describe('OTLP exporter options', () => {
  it.each([
    ['http://c:4318', 'http://c:4318/v1/metrics'],
    ['http://c:4318/', 'http://c:4318/v1/metrics'],
    ['https://otlp.example/v1/metrics', 'https://otlp.example/v1/metrics'],
  ])('derives the metrics URL of %s as %s', (endpoint, url) => {
    expect(httpMetricsUrl(endpoint)).toBe(url);
  });
});
