import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../sampling/sampler.js';
import { createAgentMetrics } from './agent-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const GPU: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 3,
  uuid: 'GPU-3',
  name: 'NVIDIA A100-SXM4-80GB',
  utilization_gpu_ratio: 0.5,
  memory_used_bytes: 1_000_000,
  memory_total_bytes: 85_899_345_920,
  clock_event_reasons: ['hw_thermal_slowdown'],
  energy_joules: 12,
  ecc_corrected_total: 2,
};

function loadedMetrics(): ReturnType<typeof createAgentMetrics> {
  const m = createAgentMetrics({ host: 'gpu-07', agentVersion: '0.1.0' });
  m.observeGpus([GPU]);
  m.observeGpuStatus([{ ts_unix_ms: 1_700_000_000_000, gpu_index: 3, gpu_uuid: 'GPU-3', status: 'xid', xid: 48, detail: 'dbe' }]);
  m.observeHost({ ts_unix_ms: 0, cpu_ratio: 0.25, volumes: [{ mount: '/data', role: 'output', size_bytes: 10, free_bytes: 4 }] });
  m.observeEvent({ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', duration_s: 30, images: 1 });
  m.observeEvent({ kind: 'model_load', runtime: 'comfyui', source: 'cache', duration_s: 0.4 });
  m.observeEvent({ kind: 'runtime_ready', runtime: 'comfyui', startup_s: 42 });
  m.sampleError('nvidia-smi');
  m.observeSend('failed', 1);
  return m;
}

describe('startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the text format that promtool check metrics accepts, process metrics included', async () => {
    const m = loadedMetrics();
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: m.registry, extra: m.sampleText });
    const res = await fetch(`${server.url}/metrics`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body).toContain('renderwatch_gpu_memory_total_bytes{host="gpu-07",gpu_index="3",gpu_uuid="GPU-3",gpu_name="NVIDIA A100-SXM4-80GB"} 85899345920');
    expect(body).toContain('process_resident_memory_bytes');
    expect(body).not.toContain('nodejs_active_handles_total');
    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  it('serves OpenMetrics when the scraper asks for it, ending with # EOF', async () => {
    const m = loadedMetrics();
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: m.registry, extra: m.sampleText });
    const accept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const res = await fetch(`${server.url}/metrics`, { headers: { accept } });
    const body = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body).toContain('# TYPE renderwatch_jobs counter');
    expect(body).toContain('renderwatch_jobs_total{host="gpu-07",runtime="comfyui",outcome="ok"} 1');
    expect(body).toContain('renderwatch_job_duration_seconds_bucket{le="+Inf",host="gpu-07",runtime="comfyui",outcome="ok"} 1');
    // The text format afterwards still carries the _total names (the registry is not mutated).
    const again = await (await fetch(`${server.url}/metrics`)).text();
    expect(again).toContain('# TYPE renderwatch_jobs_total counter');
  });

  it.each([
    ['/healthz', 'GET', 200, 'ok\n'],
    ['/nope', 'GET', 404, 'not found: try /metrics or /healthz\n'],
    ['/metrics', 'POST', 405, 'method not allowed\n'],
  ])('answers %s %s with %i', async (path, method, status, text) => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: createAgentMetrics({ host: 'h', processMetrics: false }).registry });
    const res = await fetch(`${server.url}${path}`, { method });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
  });

  it('reports unhealthy when the daemon says so', async () => {
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createAgentMetrics({ host: 'h', processMetrics: false }).registry,
      healthy: () => false,
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
  });
});
