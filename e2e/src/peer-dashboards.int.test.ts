// The peers' own stock Grafana dashboards against renderwatch's compatibility modes, with the real
// Prometheus 2.42: two agent daemons on the fake libnvidia-ml with 8 GPUs (one started with
// `--metrics-compat dcgm`, one with AGENT_METRICS_COMPAT=nvidia_gpu_exporter), one Prometheus
// scraping both, and every PromQL expression of the dashboards (agent/test/fixtures/peers) evaluated
// with its template variables filled in. An expression may return nothing only when it reads a
// metric docs/metrics.md lists as not servable from NVML; the counts of expressions returning data
// are asserted (dcgm 8 of 8, nvidia_gpu_exporter 49 of 49 and 30 of 30 since GPM and per-MIG series:
// before them 7 of 8, 47 of 49, 29 of 30).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';
import { dashboardExprs, metricsOf, PEERS, ROOT, startAgent, startPrometheus, stop, until, type PromResult } from './peer-dashboards-harness.js';

/** Peer metrics docs/metrics.md says NVML cannot serve (section "Peer metrics not served"). */
function notServed(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Peer metrics not served')) ?? '';
  return new Set([...section.matchAll(/^\| `([A-Za-z0-9_*]+)`/gm)].map((m) => m[1] ?? ''));
}

function check(empty: { expr: string; panel: string }[], total: number, label: string): void {
  const skip = notServed();
  const unexplained = empty.filter((e) => !metricsOf(e.expr).some((m) => skip.has(m)));
  console.info(`${label}: ${total - empty.length} of ${total} expressions return data; empty: ${empty.map((e) => e.panel).join(', ') || 'none'}`);
  expect(unexplained.map((e) => `${e.panel}: ${e.expr}`)).toEqual([]);
}

describe('stock peer dashboards on real Prometheus, agent on fake NVML (8 GPUs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-peer-dash-'));
  let dcgmAgent: { proc: ChildProcess; port: number };
  let smiAgent: { proc: ChildProcess; port: number };
  let prom: Awaited<ReturnType<typeof startPrometheus>>;
  const uuids: string[] = [];

  beforeAll(async () => {
    const lib = buildFakeNvml();
    // eight-gpus.json, advancing one tick a second; the H100s serve GPM (h100-mig-gpm.json's GPU 0);
    // GPU 7 in MIG mode with h100-mig-gpm.json's four GPU instances (3g.40gb, 1c.2g.20gb, 2 × 1g.10gb);
    const base = JSON.parse(readFileSync(join(FAKE_NVML_SCENARIOS, 'eight-gpus.json'), 'utf8')) as { tick_ms?: number; gpus: Record<string, unknown>[] };
    const hopper = JSON.parse(readFileSync(join(FAKE_NVML_SCENARIOS, 'h100-mig-gpm.json'), 'utf8')) as { gpus: Record<string, unknown>[] };
    base.tick_ms = 1000;
    // and NVLink (18 links; constant raw counters, so the rate is 0 on every sample after the first).
    base.gpus = base.gpus.map((g) => ({
      ...g,
      gpm: hopper.gpus[0]?.gpm,
      nvlink_links: 18,
      fields: { ...(g.fields as Record<string, unknown>), '140': 5_000_000, '141': 7_000_000 },
    }));
    base.gpus[7] = { ...base.gpus[7], mig_mode: 1, mig_devices: hopper.gpus[1]?.mig_devices, gpm: {} };
    // GPU 6 reports a fan (the H100 SXM boards of the scenario have none: NVML answers NOT_SUPPORTED).
    base.gpus[6] = { ...base.gpus[6], fan: 45, not_supported: [] };
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify(base));
    dcgmAgent = await startAgent({ fakeNvml: lib, scenario, stateDir: join(dir, 'dcgm'), host: 'gpu-node-dcgm', args: ['--metrics-compat', 'dcgm'] });
    smiAgent = await startAgent({
      fakeNvml: lib,
      scenario,
      stateDir: join(dir, 'smi'),
      host: 'gpu-node-smi',
      args: ['--metrics-compat', 'nvidia_gpu_exporter'],
    });
    prom = await startPrometheus(dir, { dcgm: `127.0.0.1:${dcgmAgent.port}`, nvidia_gpu_exporter: `127.0.0.1:${smiAgent.port}` });
    // Enough scrapes for rate() and increase() (two samples inside the window), and the XIDs of ticks 2-4.
    await until(async () => ((await prom.query('min(count_over_time(nvidia_smi_energy_joules_total[1m])) >= 6')).length > 0 ? true : undefined), 60_000);
    await until(async () => ((await prom.query('count(nvidia_smi_xid_errors_total)'))[0] === undefined ? undefined : true), 30_000);
    for (const r of await prom.query('nvidia_smi_gpu_info')) uuids.push(r.metric.uuid ?? '');
  });

  afterAll(async () => {
    await Promise.all([stop(prom?.proc), stop(dcgmAgent?.proc), stop(smiAgent?.proc)]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function returnsData(expr: string): Promise<boolean> {
    const out: PromResult[] = await prom.query(expr);
    return out.length > 0;
  }

  /**
   * Names the dashboards read only as an `or` alternative of one that is served: the pre-530 driver
   * spelling `clocks_throttle_reasons` (served: `clocks_event_reasons`) and the fallbacks of
   * `nvidia_smi_enforced_power_limit_watts`.
   */
  const ALTERNATIVES = /^nvidia_smi_(clocks_throttle_reasons_.+|power_limit_watts|power_default_limit_watts)$/;

  /** Every metric an expression list reads has series, unless not servable or an alternative name. */
  async function unservedMetrics(exprs: { expr: string }[], job: string): Promise<string[]> {
    const skip = notServed();
    const names = new Set(exprs.flatMap((e) => metricsOf(e.expr)));
    const out: string[] = [];
    for (const n of [...names].sort()) {
      if (skip.has(n) || ALTERNATIVES.test(n)) continue;
      const sel = n.endsWith('*') ? `{__name__=~"${n.slice(0, -1)}.+",job="${job}"}` : `${n}{job="${job}"}`;
      if (!(await returnsData(sel))) out.push(n);
    }
    return out;
  }

  it('scrapes 8 GPUs in dcgm mode with the dcgm-exporter label set (no native names: dcgm alone)', async () => {
    const temps = await prom.query('DCGM_FI_DEV_GPU_TEMP{job="dcgm",GPU_I_ID=""}');
    expect(temps.map((r) => r.metric.gpu).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(temps.find((r) => r.metric.gpu === '0')?.metric).toMatchObject({
      UUID: 'GPU-fake0000-0000-0000-0000-000000000000',
      pci_bus_id: '00000000:18:00.0',
      device: 'nvidia0',
      modelName: 'NVIDIA H100 80GB HBM3',
      Hostname: 'gpu-node-dcgm',
      DCGM_FI_DRIVER_VERSION: '590.48.01',
    });
    expect(await prom.query('renderwatch_gpu_temperature_celsius{job="dcgm"}')).toEqual([]);
    const targets = (await (await fetch(`http://127.0.0.1:${dcgmAgent.port}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).text()).split(
      '\n',
    );
    expect(targets.at(-2)).toBe('# EOF');
  });

  it('dcgm-exporter-dashboard.json: every expression returns data, tensor-core activity included (GPM)', async () => {
    const exprs = dashboardExprs(join(PEERS, 'dcgm-exporter', 'dcgm-exporter-dashboard.json'));
    expect(exprs).toHaveLength(8);
    const empty: typeof exprs = [];
    for (const e of exprs) {
      const q = e.expr.replaceAll('$instance', '.+').replaceAll('$gpu', '.+');
      if (!(await returnsData(q))) empty.push(e);
    }
    // The template variables: label_values(DCGM_FI_DEV_GPU_TEMP, instance|gpu).
    expect(await returnsData('DCGM_FI_DEV_GPU_TEMP')).toBe(true);
    check(empty, exprs.length, 'dcgm-exporter-dashboard.json');
    expect(await unservedMetrics(exprs, 'dcgm')).toEqual([]);
    // 8 of 8 (7 of 8 before GPM: Tensor Core Utilization was empty).
    expect(empty.map((e) => e.panel)).toEqual([]);
  });

  it('dcgm mode: profiling fields from GPM on every H100, one series set per MIG GPU instance of GPU 7', async () => {
    const tensor = await prom.query('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{job="dcgm",GPU_I_ID=""}');
    expect(tensor.map((r) => r.metric.gpu).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    // A window of one tick or none: the scenario's value at that tick (0, 52 or 38 %).
    for (const r of tensor) expect([0, 0.52, 0.38]).toContain(Number(r.value[1]));
    const fb = await prom.query('DCGM_FI_DEV_FB_USED{job="dcgm",gpu="7",GPU_I_ID!=""}');
    expect(fb.map((r) => [r.metric.GPU_I_ID, r.metric.GPU_I_PROFILE, r.value[1]]).sort()).toEqual([
      ['10', '1g.10gb', '9'],
      ['2', '3g.40gb', '11091'],
      ['3', '2g.20gb', '17'],
      ['9', '1g.10gb', '9'],
    ]);
    const nvlink = await prom.query('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL{job="dcgm",GPU_I_ID=""}');
    expect(nvlink.map((r) => [r.metric.gpu, r.value[1]]).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'].map((g) => [g, '0']));
    const gi2 = await prom.query('DCGM_FI_PROF_GR_ENGINE_ACTIVE{job="dcgm",GPU_I_ID="2"}');
    expect([0.4, 0.9, 0.7]).toContain(Number(gi2[0]?.value[1]));
  });

  for (const file of ['dashboard.json', 'dashboard-overview.json']) {
    it(`nvidia_gpu_exporter ${file}: every expression returns data for some GPU except the not-servable ones`, async () => {
      const exprs = dashboardExprs(join(PEERS, 'nvidia_gpu_exporter', file));
      expect(exprs.length).toBeGreaterThan(20);
      expect(uuids).toHaveLength(8);
      expect(uuids).toContain('fake0000-0000-0000-0000-000000000000');
      // Variables: job from label_values(nvidia_smi_index, job), node from its instance, gpu from gpu_info's uuid.
      const [index] = await prom.query('nvidia_smi_index{job="nvidia_gpu_exporter"}');
      const node = index?.metric.instance ?? '';
      const empty: typeof exprs = [];
      for (const e of exprs) {
        let hit = false;
        for (const gpu of file === 'dashboard.json' ? uuids : ['.+']) {
          const q = e.expr.replaceAll('$__rate_interval', '30s').replaceAll('$job', 'nvidia_gpu_exporter').replaceAll('$node', node).replaceAll('$gpu', gpu);
          if (await returnsData(q)) {
            hit = true;
            break;
          }
        }
        if (!hit) empty.push(e);
      }
      check(empty, exprs.length, `nvidia_gpu_exporter/${file}`);
      // All of them (before GPM: dashboard.json 47 of 49, overview 29 of 30, the MIG activity panels empty).
      expect(exprs).toHaveLength(file === 'dashboard.json' ? 49 : 30);
      expect(empty.map((e) => e.panel)).toEqual([]);
      // A panel with an `or … * 0 - 1` fallback returns data even without its metric: each must exist.
      expect(await unservedMetrics(exprs, 'nvidia_gpu_exporter')).toEqual([]);
    });
  }
});
