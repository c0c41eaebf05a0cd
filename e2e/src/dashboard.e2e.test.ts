// The dashboard in Debian's Chromium against the real collector + ClickHouse, seeded through the
// real gRPC path by the simulator's virtual hosts: every page renders its data (or the state that
// explains why not), filters and the time range live in the URL and survive a reload, an OOM links
// to its host and time, acknowledging an alert is refused for a viewer key and works for an operator.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { refreshCapacity } from '@renderwatch/collector';
import { CreateApiKeyResponseSchema, FleetResponseSchema } from '@renderwatch/schema';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type TestBrowser } from './browser.js';
import { backfillFleet, ensureDashboardBuilt } from './dashboard-harness.js';
import { startTestCollector } from './test-collector.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.test-output', 'screenshots');
const ADMIN = 'e2e-admin-key-0123456789';
const GiB = 1024 ** 3;
/** The dashboard's percent format (dashboard/src/lib/format.ts formatPercent). */
const pct = (r: number | null, digits: number): string => (r === null ? '—' : `${(r * 100).toFixed(digits)}%`);

const SLO_FILE = `version: renderwatch/v1
slos:
  - name: oom-rate
    display_name: OOM-free jobs
    description: Jobs that did not end in an out-of-memory error.
    indicator: { kind: oom_free }
    objective: 99
    window: 30d
    min_events: 10
alerts:
  - name: gpu-warm
    kind: gpu_temperature
    threshold: 45
    window: 5m
    severity: ticket
`;

describe('dashboard in Chromium against a seeded collector', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let base: string;
  let tb: TestBrowser;
  let dir: string;
  const keys = { viewer: '', operator: '' };
  const pageErrors: string[] = [];

  async function api(path: string, key = keys.viewer): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: await res.json() };
  }

  async function openPage(path: string): Promise<Page> {
    const ctx = await tb.browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    const sep = path.includes('?') ? '&' : '?';
    await page.goto(`${base}${path}${sep}key=${keys.viewer}`);
    return page;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    dir = await mkdtemp(join(tmpdir(), 'rw-dash-e2e-'));
    await writeFile(join(dir, 'slos.yaml'), SLO_FILE);
    c = await startTestCollector(inject('clickhouseUrl'), {
      COLLECTOR_API_ADMIN_KEY: ADMIN,
      COLLECTOR_SLO_FILE: join(dir, 'slos.yaml'),
      COLLECTOR_SLO_EVAL_INTERVAL_S: '2',
      COLLECTOR_API_KEYS_REFRESH_MS: '500',
    });
    base = `http://127.0.0.1:${c.httpPort}`;
    await backfillFleet({ address: `127.0.0.1:${c.grpcPort}`, hosts: 12, historyMs: 20 * 60_000, stepMs: 10_000 });
    // the capacity planner reads an hourly rollup the collector refreshes on a timer: refresh it now
    await refreshCapacity(c.storage, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() + 3600_000));
    for (const role of ['viewer', 'operator'] as const) {
      const res = await fetch(`${base}/api/v1/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `e2e-${role}`, role }),
      });
      const json: unknown = await res.json();
      expect(res.status, JSON.stringify(json)).toBe(201);
      keys[role] = CreateApiKeyResponseSchema.parse(json).key;
    }
    await mkdir(SHOTS, { recursive: true });
    tb = await launchChromium();
  });

  afterAll(async () => {
    await tb?.close();
    if (c !== undefined) {
      const db = c.config.COLLECTOR_CLICKHOUSE_DATABASE;
      await c.stop();
      await fetch(`${inject('clickhouseUrl')}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${db}`)}`, { method: 'POST' });
    }
    await rm(dir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows the seeded fleet with the values the API returns', async () => {
    const fleet = FleetResponseSchema.parse((await api('/api/v1/fleet')).body);
    expect(fleet.hosts).toHaveLength(12);
    const page = await openPage('/');
    await expect.poll(() => page.getByTestId('host-row').count(), { timeout: 15_000 }).toBe(12);
    expect(await page.getByTestId('host-count').textContent()).toBe('12 hosts');
    // the key went from the URL into localStorage
    expect(new URL(page.url()).searchParams.has('key')).toBe(false);
    const h = fleet.hosts.find((x) => x.gpus.length > 1) ?? fleet.hosts[0];
    const g = h?.gpus[1] ?? h?.gpus[0];
    if (h === undefined || g === undefined) throw new Error('no GPU');
    const chip = page.locator(`[data-testid="host-row"][data-host="${h.host}"] [data-testid="gpu"][data-gpu-index="${g.index}"]`);
    expect(await chip.getByTestId('gpu-mem').textContent()).toBe(
      `${((g.memory_used_bytes ?? 0) / GiB).toFixed(1)} / ${((g.memory_total_bytes ?? 0) / GiB).toFixed(1)} GiB`,
    );
    expect(await chip.getByTestId('gpu-temp').textContent()).toBe(`${Math.round(g.temperature_celsius ?? 0)} °C`);
    await page.getByTestId('util-heatmap').waitFor();
    await page.locator('[data-testid="fleet-util-chart"] .recharts-line').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard-fleet.png') });
    await page.context().close();
  });

  type Body = Record<string, unknown>;
  const len = (b: Body, k: string) => (Array.isArray(b[k]) ? (b[k] as unknown[]).length : 0);
  /**
   * Each page against what the API answers for the seeded fleet: the answer must have data (polled:
   * rollups and the evaluator fill in within seconds), and the page must show a concrete value of it.
   * `drawn`: a selector that proves the page's chart drew its lines. Slowdowns need a baseline of
   * days and are asserted on the demo's history (demo-pages.e2e.test.ts).
   */
  const PAGES: {
    name: string;
    path: string;
    api: string;
    isEmpty: (b: Body) => boolean;
    expected: (b: Body) => { testId: string; text: string };
    drawn?: string;
  }[] = [
    {
      name: 'host',
      path: '/hosts/gpu-node-04',
      api: '/api/v1/hosts/gpu-node-04/series',
      isEmpty: (b) => len(b, 'gpus') === 0,
      expected: (b) => ({ testId: 'host-title', text: String((b as { host?: string }).host ?? 'gpu-node-04') }),
      drawn: '[data-testid="chart-percent"] .recharts-line',
    },
    {
      name: 'slos',
      path: '/slos',
      api: '/api/v1/slos',
      isEmpty: (b) => len(b, 'slos') === 0,
      expected: (b) => ({ testId: 'slo-sli', text: pct((b as { slos: { sli: number | null }[] }).slos[0]?.sli ?? null, 2) }),
    },
    {
      name: 'slo-detail',
      path: '/slos/oom-rate',
      api: '/api/v1/slos/oom-rate',
      isEmpty: (b) => (b as { slo?: { valid?: number } }).slo?.valid === 0,
      expected: (b) => ({ testId: 'slo-detail-sli', text: pct((b as { slo: { sli: number | null } }).slo.sli, 2) }),
    },
    {
      name: 'alerts',
      path: '/alerts?state=all',
      api: '/api/v1/alerts',
      isEmpty: (b) => len(b, 'alerts') === 0,
      expected: (b) => ({ testId: 'alert-table', text: (b as { alerts: { alertname: string }[] }).alerts[0]?.alertname ?? '' }),
    },
    {
      name: 'ooms',
      path: '/ooms',
      api: '/api/v1/ooms',
      isEmpty: (b) => b['total'] === 0,
      expected: (b) => ({ testId: 'oom-total', text: `${String(b['total'])} OOM${b['total'] === 1 ? '' : 's'} in range` }),
    },
    {
      name: 'capacity',
      path: '/capacity',
      api: '/api/v1/capacity',
      isEmpty: (b) => len(b, 'workloads') === 0,
      expected: (b) => ({ testId: 'capacity-table', text: (b as { workloads: { model: string }[] }).workloads[0]?.model ?? '' }),
    },
  ];

  it.each(PAGES)('renders the $name page with a value from its API answer', async (p) => {
    let body: Body = {};
    await expect
      .poll(
        async () => {
          const a = await api(p.api);
          body = a.body as Body;
          return a.status === 200 && !p.isEmpty(body);
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(true);
    const page = await openPage(p.path);
    if (p.drawn !== undefined) await page.locator(p.drawn).first().waitFor({ timeout: 30_000 });
    const want = p.expected(body);
    expect(want.text).not.toBe('');
    await expect
      .poll(async () => (await page.getByTestId(want.testId).first().textContent({ timeout: 15_000 })) ?? '', { timeout: 15_000 })
      .toContain(want.text);
    await page.screenshot({ path: join(SHOTS, `dashboard-${p.name}.png`) });
    await page.context().close();
  });

  it('keeps the GPU model filter and the time range in the URL across a reload', async () => {
    const fleet = FleetResponseSchema.parse((await api('/api/v1/fleet')).body);
    const model = fleet.hosts[0]?.gpus[0]?.name ?? '';
    const expected = fleet.hosts
      .filter((h) => h.gpus.some((g) => g.name === model))
      .map((h) => h.host)
      .sort();
    const page = await openPage('/');
    await expect.poll(() => page.getByTestId('host-row').count(), { timeout: 15_000 }).toBe(12);
    await page.getByTestId('gpu-model-filter').selectOption(model);
    await page.getByTestId('time-range').selectOption('6h');
    const url = new URL(page.url());
    expect(url.searchParams.get('gpu_model')).toBe(model);
    expect(url.searchParams.get('range')).toBe('6h');
    const rows = async () => (await page.getByTestId('host-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-host') ?? ''))).sort();
    await expect.poll(rows).toEqual(expected);
    await page.reload();
    await expect.poll(rows, { timeout: 15_000 }).toEqual(expected);
    expect(await page.getByTestId('time-range').inputValue()).toBe('6h');
    expect(await page.getByTestId('gpu-model-filter').inputValue()).toBe(model);
    await page.context().close();
  });

  it('goes from an OOM event to its host at that time', async (ctx) => {
    const answer = await api('/api/v1/ooms');
    const total = (answer.body as { total?: number }).total ?? 0;
    if (answer.status !== 200 || total === 0) ctx.skip(`OOM API answered ${answer.status} with ${total} OOMs`);
    const page = await openPage('/ooms');
    const link = page.getByTestId('oom-host-link').first();
    await link.waitFor({ timeout: 15_000 });
    const text = (await link.textContent()) ?? '';
    await link.click();
    await page.getByTestId('host-title').waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toMatch(/^\/hosts\/gpu-node-\d+$/);
    expect(text).toContain(decodeURIComponent(url.pathname.split('/')[2] ?? ''));
    const span = Date.parse(url.searchParams.get('to') ?? '') - Date.parse(url.searchParams.get('from') ?? '');
    expect(span).toBe(30 * 60_000);
    await page.getByTestId('chart-percent').first().waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  it('refuses an acknowledgement with a viewer key and accepts it with an operator key', async () => {
    let fingerprint = '';
    await expect
      .poll(
        async () => {
          const r = await api('/api/v1/alerts?state=firing');
          const alerts = (r.body as { alerts?: { fingerprint: string }[] }).alerts ?? [];
          fingerprint = alerts[0]?.fingerprint ?? '';
          return fingerprint !== '';
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(true);
    const page = await openPage(`/alerts?state=firing`);
    const row = page.locator(`[data-testid="alert-row"][data-fingerprint="${fingerprint}"]`);
    await row.getByTestId('ack-button').click();
    expect(await row.getByTestId('ack-error').textContent()).toContain('COL_ERR_AUTH_FORBIDDEN');
    await page.goto(`${base}/alerts?state=firing&key=${keys.operator}`);
    await row.getByTestId('ack-button').click();
    expect(await row.getByTestId('acked').textContent({ timeout: 15_000 })).toBe('acked by operator');
    await page.screenshot({ path: join(SHOTS, 'dashboard-alerts-acked.png') });
    await page.context().close();
  });

  it('shows a host that starts reporting while the page is open, without a reload', async () => {
    const page = await openPage('/');
    await expect.poll(() => page.getByTestId('host-row').count(), { timeout: 15_000 }).toBe(12);
    const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
    let sent = false;
    const b = createBatcher({
      agentId: 'agent-late',
      host: { hostname: 'late-host', driverVersion: '570.124.04', cudaVersion: '12.8', agentVersion: '0.1.0', labels: {} },
      firstSeq: 1,
      maxRows: 100,
      flushIntervalMs: 60_000,
      deliver: (req) => {
        void client.send(req, 10_000).then((r) => (sent = r.status === 'ok'));
      },
    });
    b.addGpus([
      {
        ts_unix_ms: Date.now(),
        index: 0,
        uuid: 'GPU-late-0',
        name: 'NVIDIA L40S',
        utilization_gpu_ratio: 0.42,
        memory_used_bytes: 8 * GiB,
        memory_total_bytes: 48 * GiB,
        temperature_celsius: 55,
      },
    ]);
    b.flush();
    await expect.poll(() => sent, { timeout: 10_000 }).toBe(true);
    client.close();
    const late = page.locator('[data-testid="host-row"][data-host="late-host"]');
    await late.waitFor({ timeout: 15_000 });
    expect(await late.getByTestId('gpu-util').textContent()).toBe('42%');
    expect(await page.getByTestId('host-count').textContent()).toBe('13 hosts');
    await page.context().close();
  });
});
