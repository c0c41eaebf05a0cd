// A real Prometheus (Debian's 2.42) scrapes a real agent /metrics server: it negotiates OpenMetrics,
// ingests the series with their labels, and loads the example alert rules of deploy/prometheus.
// Both servers bind 127.0.0.1 on free ports; the Prometheus process is stopped by its pid.
import { createAgentMetrics, startMetricsServer, type MetricsServer } from '@renderwatch/agent/harness';
import { freePort } from '@renderwatch/devkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RULES = join(import.meta.dirname, '../../deploy/prometheus/rules/renderwatch-agent.rules.yml');

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function eventually<T>(f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      // Prometheus not listening yet
    }
    if (Date.now() > until) throw new Error('timed out waiting for Prometheus');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus scraping the agent', () => {
  let agent: MetricsServer;
  let prom: ChildProcess | undefined;
  let promUrl = '';
  const dir = mkdtempSync(join(tmpdir(), 'rw-prom-scrape-'));
  const formats: string[] = [];

  beforeAll(async () => {
    const m = createAgentMetrics({ host: 'gpu-node-01', agentVersion: '0.1.0' });
    m.observeGpus([
      {
        ts_unix_ms: Date.now(),
        index: 0,
        uuid: 'GPU-e2e-0',
        name: 'NVIDIA L40S',
        utilization_gpu_ratio: 0.42,
        temperature_celsius: 66,
        clock_event_reasons_mask: 0x4,
      },
    ]);
    m.observeEvent({ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', duration_s: 9, images: 2 });
    agent = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: m.registry, extra: m.sampleText, onScrape: (f) => formats.push(f) });
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [RULES],
        scrape_configs: [{ job_name: 'renderwatch-agent', static_configs: [{ targets: [`127.0.0.1:${agent.port}`] }] }],
      }),
    );
    prom = spawn(
      '/usr/bin/prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    if (prom?.pid !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(q: string): Promise<PromResult[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { data: { result: PromResult[] } };
    return body.data.result;
  }

  it('ingests the GPU gauges with their labels', async () => {
    const [r] = await eventually(async () => {
      const out = await query('renderwatch_gpu_utilization_ratio');
      return out.length > 0 ? out : undefined;
    });
    expect(r?.metric).toMatchObject({ job: 'renderwatch-agent', host: 'gpu-node-01', gpu_index: '0', gpu_uuid: 'GPU-e2e-0', gpu_name: 'NVIDIA L40S' });
    expect(Number(r?.value[1])).toBe(0.42);
  });

  it('ingests counters, histograms and the clock-event reasons', async () => {
    expect(Number((await query('renderwatch_jobs_total{outcome="ok"}'))[0]?.value[1])).toBe(1);
    expect(Number((await query('renderwatch_job_duration_seconds_sum'))[0]?.value[1])).toBe(9);
    const reasons = await query('renderwatch_gpu_clock_event_reason_active == 1');
    expect(reasons.map((x) => x.metric.reason)).toEqual(['sw_power_cap']);
  });

  it('reports the target up, scraped as OpenMetrics, and loads the example alert rules', async () => {
    const targets = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
    expect(targets.data.activeTargets).toEqual([expect.objectContaining({ health: 'up', lastError: '' })]);
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
    const group = rules.data.groups.find((g) => g.name === 'renderwatch-agent');
    expect(group?.rules).toHaveLength(10);
    expect(group?.rules.every((r) => r.health !== 'err')).toBe(true);
    // Prometheus asks for OpenMetrics first, so what it ingested was the agent's OpenMetrics output.
    expect(formats.length).toBeGreaterThan(0);
    expect(new Set(formats)).toEqual(new Set(['openmetrics']));
  });
});
