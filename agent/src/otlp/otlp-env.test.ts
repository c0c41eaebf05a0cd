// OTLP the OpenTelemetry way (issue 16): the standard OTEL_* environment wins over the agent's keys,
// resource attributes come from the SDK's envDetector, the hardware semantic conventions (hw.status,
// hw.gpu.io, hw.gpu.memory.utilization), all checked with a receiver built from the official OTLP
// protos (agent/test/support/otlp-official-receiver.ts), and the SDK is not loaded when OTLP is off.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startOfficialGrpcReceiver, startOfficialHttpReceiver, type OfficialReceiver } from '../../test/support/otlp-official-receiver.js';
import { resolveAgentConfig } from '../config.js';
import { createAgentMetrics } from '../metrics/agent-metrics.js';
import type { GpuSnapshot } from '../sampling/sampler.js';
import { otlpFromConfig } from './otlp-from-config.js';
import type { OtlpMetrics } from './otlp-metrics.js';
import { planOtlp } from './otlp-plan.js';

const log = pino({ level: 'silent' });
const GiB = 1024 ** 3;
const gpu = (ts: number, extra: Partial<GpuSnapshot> = {}): GpuSnapshot => ({
  ts_unix_ms: ts,
  index: 0,
  uuid: 'GPU-aaaa',
  name: 'NVIDIA H100 80GB HBM3',
  memory_used_bytes: 20 * GiB,
  memory_total_bytes: 80 * GiB,
  utilization_memory_ratio: 0.11,
  pcie_rx_bytes_per_s: 256_000_000,
  pcie_tx_bytes_per_s: 1_024_000,
  ...extra,
});

function cfg(env: Record<string, string>) {
  const r = resolveAgentConfig({ AGENT_HOSTNAME: 'node-3', AGENT_OTLP_INTERVAL_MS: '600000', ...env });
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.config;
}

describe('planOtlp: OTEL_* wins, AGENT_OTLP_* are defaults', () => {
  it('is off without any endpoint and on with only the standard one (it used to ignore it)', () => {
    expect(planOtlp(cfg({}))).toBeUndefined();
    const p = planOtlp(cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', AGENT_OTLP_HEADERS: 'a=1', AGENT_OTLP_TIMEOUT_MS: '7000' }));
    expect(p).toMatchObject({ protocol: 'http/protobuf', endpointFrom: 'OTEL_EXPORTER_OTLP_ENDPOINT', headers: { a: '1' }, timeoutMs: 7000 });
    expect(p).not.toHaveProperty('endpoint');
  });

  it('leaves what OTEL_* sets to the SDK and keeps the agent keys for the rest', () => {
    const p = planOtlp(
      cfg({
        AGENT_OTLP_ENDPOINT: 'http://agent-default:4318',
        AGENT_OTLP_HEADERS: 'x=agent',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x=otel',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_METRIC_EXPORT_INTERVAL: '15000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      }),
    );
    expect(p).toMatchObject({
      endpoint: 'http://agent-default:4318',
      endpointFrom: 'AGENT_OTLP_ENDPOINT',
      protocol: 'grpc',
      intervalMs: 15000,
      exportTimeoutMs: 3000,
    });
    expect(p).not.toHaveProperty('headers');
    expect(p).not.toHaveProperty('timeoutMs');
  });

  it('honours OTEL_SDK_DISABLED and OTEL_METRICS_EXPORTER=none, and ignores an unknown protocol with a note', () => {
    expect(planOtlp(cfg({ AGENT_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }))).toBeUndefined();
    expect(planOtlp(cfg({ AGENT_OTLP_ENDPOINT: 'http://a:4318', OTEL_METRICS_EXPORTER: 'none' }))).toBeUndefined();
    expect(planOtlp(cfg({ AGENT_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }))).toMatchObject({
      protocol: 'http/protobuf',
      ignored: ['OTEL_EXPORTER_OTLP_PROTOCOL=carrier-pigeon'],
    });
  });
});

/** Sets OTEL_* where the SDK reads them (process.env) and builds the config from the same values. */
async function start(env: Record<string, string>): Promise<OtlpMetrics> {
  Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('OTEL_'))));
  const o = await otlpFromConfig(cfg(env), log, '0.1.0');
  if (o === undefined) throw new Error('OTLP stayed off');
  return o;
}

describe('OTLP export read by the official-proto receiver', () => {
  let receiver: OfficialReceiver | undefined;
  let otlp: OtlpMetrics | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    await otlp?.shutdown();
    await receiver?.close();
    otlp = undefined;
    receiver = undefined;
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_') && saved[k] === undefined) delete process.env[k];
  });

  it.each([
    ['http/protobuf', startOfficialHttpReceiver, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    ['grpc', startOfficialGrpcReceiver, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'],
  ] as const)('%s: endpoint, headers and resource from OTEL_*, the agent keys as defaults only', async (protocol, startReceiver, endpointVar) => {
    receiver = await startReceiver();
    otlp = await start({
      AGENT_OTLP_ENDPOINT: 'http://127.0.0.1:9', // nothing listens: the export must follow the environment
      AGENT_OTLP_HEADERS: 'x-tenant=from-agent-key',
      [endpointVar]: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from-otel-env',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,host.name=render-host-from-env',
      OTEL_SERVICE_NAME: 'render-fleet',
    });
    otlp.observeGpus([gpu(1_000)]);
    await otlp.forceFlush();
    const got = receiver.exports[0];
    expect(got?.headers['x-tenant']).toBe('from-otel-env');
    expect(got?.resource).toMatchObject({
      'service.name': 'render-fleet',
      'host.name': 'render-host-from-env',
      'deployment.environment.name': 'prod',
      'service.instance.id': 'agent-node-3',
      'service.version': '0.1.0',
    });
  });

  it('hw.status, hw.gpu.io and hw.gpu.memory.utilization per the hardware semantic conventions (missing before)', async () => {
    receiver = await startOfficialHttpReceiver();
    otlp = await start({ AGENT_OTLP_ENDPOINT: receiver.url });
    otlp.observeGpus([gpu(10_000)]);
    otlp.observeGpus([gpu(12_000)]); // 2 s at 256 MB/s in, 1.024 MB/s out
    otlp.observeGpus([gpu(12_500, { index: 1, uuid: 'GPU-bbbb', peer: { recovery_action: 1 } }), gpu(12_500)]);
    otlp.observeStatus({ ts_unix_ms: 12_600, gpu_index: 0, gpu_uuid: 'GPU-aaaa', status: 'lost', detail: '' });
    otlp.observeGpus([gpu(13_000, { index: 1, uuid: 'GPU-bbbb', peer: { recovery_action: 1 } })]);
    await otlp.forceFlush();
    const m = receiver.exports.at(-1)?.metrics;
    const status = m?.get('hw.status');
    expect(status).toMatchObject({ kind: 'sum', monotonic: false, unit: '1' });
    const on = (status?.points ?? []).filter((p) => p.value === 1).map((p) => [p.attributes['hw.id'], p.attributes['hw.state'], p.attributes['hw.type']]);
    expect(on.sort()).toEqual([
      ['GPU-aaaa', 'failed', 'gpu'],
      ['GPU-bbbb', 'degraded', 'gpu'],
    ]);
    expect(status?.points).toHaveLength(6);
    const io = m?.get('hw.gpu.io');
    expect(io).toMatchObject({ kind: 'sum', monotonic: true, unit: 'By' });
    const aaaa = (dir: string) => io?.points.find((p) => p.attributes['hw.id'] === 'GPU-aaaa' && p.attributes['network.io.direction'] === dir)?.value;
    // 10 000 → 12 000 → 12 500 ms: 2.5 s × 256 000 000 B/s and × 1 024 000 B/s.
    expect(aaaa('receive')).toBe(640_000_000);
    expect(aaaa('transmit')).toBe(2_560_000);
  });

  it('hw.gpu.memory.utilization is used / limit, the same value as renderwatch_gpu_memory_utilization_ratio on /metrics', async () => {
    receiver = await startOfficialHttpReceiver();
    otlp = await start({ AGENT_OTLP_ENDPOINT: receiver.url });
    const g = gpu(1_000);
    otlp.observeGpus([g]);
    await otlp.forceFlush();
    const m = receiver.exports[0]?.metrics;
    expect(m?.get('hw.gpu.memory.utilization')?.points[0]?.value).toBe(0.25);
    expect(m?.get('renderwatch.gpu.memory.busy')?.points[0]?.value).toBe(0.11);
    const prom = createAgentMetrics({ host: 'h', processMetrics: false });
    prom.observeGpus([g]);
    const text = await prom.text(false);
    expect(text).toContain('renderwatch_gpu_memory_utilization_ratio{host="h",gpu_index="0",gpu_uuid="GPU-aaaa",gpu_name="NVIDIA H100 80GB HBM3"} 0.25');
    expect(text).toContain('renderwatch_gpu_memory_busy_ratio{host="h",gpu_index="0",gpu_uuid="GPU-aaaa",gpu_name="NVIDIA H100 80GB HBM3"} 0.11');
  });
});

/** Static (non-type, non-dynamic) imports reachable from a file, following relative paths. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    const spec = m[1] ?? '';
    if (spec.startsWith('.')) staticImports(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('OTLP is loaded lazily', () => {
  it('the /metrics + OTLP sinks import no @opentelemetry module until OTLP is configured', () => {
    const reached = [...staticImports(join(import.meta.dirname, '..', 'metrics', 'telemetry-sinks.ts'))];
    expect(reached.some((f) => f.endsWith('otlp-from-config.ts'))).toBe(true);
    expect(reached.filter((s) => s.startsWith('@opentelemetry/'))).toEqual([]);
    expect(reached.some((f) => f.endsWith('otlp-metrics.ts'))).toBe(false);
  });
});
