// The demo's history in Chromium: the demo's own history module (e2e/src/demo/demo-history.ts —
// the story fleet's past through the agents' export path, the collector's evaluator replayed over
// the last hours, an operator's acknowledgement) fills a real collector with one day of history
// (the story's times moved into that day, samples every 2 min), then each page must show what that
// story put there: the burning SLO and its firing alert, the resolved OOM-storm alert and the
// acknowledged one, every OOM cause, the throttling rack, the crashed start, the 5090's cost, the
// ComfyUI upgrade and the Flux file whose new hash made jobs slower. Screenshots of the new pages
// go to .test-output/screenshots (copied to docs/ for the README).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoFleetSpecs, type DemoHostSpec } from '@renderwatch/simulator';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type TestBrowser } from './browser.js';
import { ensureDashboardBuilt } from './dashboard-harness.js';
import { runDemoHistory, type DemoHistoryResult } from './demo/demo-history.js';
import { startTestCollector } from './test-collector.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.test-output', 'screenshots');
const PRICES = 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80';

/**
 * The demo's story squeezed into one day: the model swap 10 h ago, the cooling failure 12 h ago (the
 * hot rack then throttles on and off through the last 6 h and over the day: a slow burn, no page).
 */
function oneDayStory(): DemoHostSpec[] {
  return demoFleetSpecs().map((s) => {
    const story = { ...s.story };
    if (story.modelSwaps !== undefined) story.modelSwaps = story.modelSwaps.map((m) => ({ ...m, hoursAgo: 10 }));
    if (story.upgrades !== undefined && s.hostname === 'ws-5090-01') story.upgrades = story.upgrades.map((u) => ({ ...u, hoursAgo: 16 }));
    if (story.coolingFailedHoursAgo !== undefined) story.coolingFailedHoursAgo = 12;
    if (story.noisyNeighbourHoursAgo !== undefined) story.noisyNeighbourHoursAgo = 6;
    if (story.slowDownloadsHoursAgo !== undefined) story.slowDownloadsHoursAgo = 6;
    if (story.campaigns !== undefined) story.campaigns = story.campaigns.map((x) => ({ ...x, startHoursAgo: Math.min(x.startHoursAgo / 3, 14) }));
    return { ...s, story };
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `screenshot-${name}.png`), fullPage: false });
  await page.context().close();
}

describe('the demo history, page by page in Chromium', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let base: string;
  let tb: TestBrowser;
  let history: DemoHistoryResult;
  const pageErrors: string[] = [];

  async function open(path: string): Promise<Page> {
    const ctx = await tb.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.on('console', (m) => {
      // Chromium itself logs every 4xx answer as "Failed to load resource" (the bad-input cases ask for them); anything else is the page's
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${path}: console: ${m.text()}`);
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    await mkdir(SHOTS, { recursive: true });
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_GPU_PRICES: PRICES, COLLECTOR_SLO_EVAL_INTERVAL_S: '0' });
    base = `http://127.0.0.1:${c.httpPort}`;
    history = await runDemoHistory({
      cfg: c.config,
      collector: c,
      grpcAddress: `127.0.0.1:${c.grpcPort}`,
      baseUrl: `${base}/`,
      days: 1,
      endMs: Date.now(),
      log: pino({ level: 'silent' }),
      say: () => undefined,
      specs: oneDayStory(),
      sampleIntervalMs: 120_000,
    });
    tb = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await tb?.close();
    if (c !== undefined) {
      const db = c.config.COLLECTOR_CLICKHOUSE_DATABASE;
      await c.stop();
      await fetch(`${inject('clickhouseUrl')}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${db}`)}`, { method: 'POST' });
    }
    expect(pageErrors).toEqual([]);
  });

  it('sends the whole day through gRPC and the evaluator replays 8 hours', () => {
    expect(history.progress.failedBatches).toBe(0);
    expect(history.progress.chunksDone).toBe(4);
    // 8 h at 30 min: 17 instants, both ends included
    expect(history.ticks).toBe(17);
    expect(history.acked).toBeDefined();
  });

  it('SLOs: job completion burns fast enough to page, the hot rack burns slowly, OOM-free jobs are fine', async () => {
    const page = await open('/slos');
    const status = (name: string) => page.locator(`[data-testid="slo-row"][data-slo="${name}"] [data-testid="slo-status"]`).textContent({ timeout: 15_000 });
    expect(await status('batch-job-completion')).toBe('burning fast (page)');
    expect(await status('thermal-throttle')).toBe('burning (ticket)');
    expect(await status('oom-rate')).toBe('ok');
    await page.context().close();
  });

  it('alerts: the job-completion page fires, the OOM storm resolved, one alert is acknowledged by the on-call', async () => {
    const page = await open('/alerts?state=all');
    await page.getByTestId('alert-table').waitFor({ timeout: 15_000 });
    const rows = page.getByTestId('alert-row');
    const states = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-state')}:${e.getAttribute('data-rule')}`));
    expect(states).toContain('firing:batch-job-completion');
    expect(states).toContain('resolved:oom-storm');
    expect(await page.getByTestId('acked').first().textContent()).toBe('acked by demo-oncall');
    await shot(page, 'alerts');
  });

  it('OOM explorer: every cause of the story, each with its rule', async () => {
    const page = await open('/ooms?range=24h');
    const causes = page.locator('[data-testid="oom-by-cause"] li');
    await causes.first().waitFor({ timeout: 15_000 });
    const labels = await causes.evaluateAll((els) => els.map((e) => e.querySelector('.barlist-label')?.textContent ?? ''));
    // the joined labels, so a failure names the cause that is missing
    for (const want of ['batch size', 'resolution', 'other process']) expect(labels.join(' | ').toLowerCase()).toContain(want);
    expect(await page.getByTestId('cause-rule').allTextContents()).toContain('request_exceeds_total_with_batch');
    await page.context().close();
  });

  it('slowdowns: the rack-b hosts throttle, the noisy neighbour shares its GPU, the slow share misses the cache', async () => {
    const page = await open('/slowdowns?range=6h&baseline_days=1');
    const reasons = (host: string) => page.locator(`[data-testid="slowdown-row"][data-host="${host}"] [data-testid="slowdown-reason"]`).allTextContents();
    await page.getByTestId('slowdown-table').waitFor({ timeout: 15_000 });
    expect(await reasons('rack-b-a10g-01')).toContain('thermal throttle');
    expect(await reasons('render-4090-02')).toContain('other GPU processes');
    expect(await reasons('video-l40s-02')).toEqual(expect.arrayContaining(['model download', 'model cache misses']));
    // the downloads themselves, with their crawl speed, in the reason's detail
    const titles = await page
      .locator('[data-testid="slowdown-row"][data-host="video-l40s-02"] [data-testid="slowdown-reason"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    expect(titles.some((t) => /model download: \d+ downloads? at 2\d(\.\d)? MB\/s/.test(t))).toBe(true);
    await page.context().close();
  });

  it('capacity planner: SDXL, Flux and Wan workloads with their tiers', async () => {
    const page = await open('/capacity?range=24h');
    await page.getByTestId('capacity-table').waitFor({ timeout: 15_000 });
    const models = await page.getByTestId('capacity-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-model') ?? ''));
    for (const m of ['sd_xl_base_1.0.safetensors', 'flux1-dev-fp8.safetensors', 'wan2.2_t2v_14B_fp8_scaled.safetensors']) expect(models).toContain(m);
    await page.context().close();
  });

  it('starts: warm starts per runtime against the 5 min target, time to first image with its rule, the crashed start after the A100 upgrade', async () => {
    const page = await open('/starts?range=24h');
    await page.getByTestId('starts-runtime-table').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('starts-targets').textContent()).toContain('warm start within 5 min');
    const a100 = page.locator('[data-testid="starts-host-row"][data-host="video-a100-01"]');
    expect(await a100.getByTestId('starts-never-ready').textContent()).toBe('1');
    const runtimes = await page.getByTestId('starts-runtime-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-runtime')));
    expect(runtimes).toEqual(expect.arrayContaining(['comfyui', 'forge', 'a1111', 'invokeai']));
    // time to first image of the warm starts, labelled by the agent's rule table
    expect(await page.getByTestId('ttfi-rules').textContent({ timeout: 15_000 })).toContain('all_loads_cached → warm');
    expect(await page.locator('[data-testid="ttfi-row"][data-runtime="comfyui"][data-cold="warm"]').count()).toBe(1);
    await shot(page, 'starts');
  });

  it('cost: money per GPU model at the configured prices, and the same work on a 24 GB tier', async () => {
    const page = await open('/cost?range=24h');
    const row = page.locator('[data-testid="cost-model-row"][data-gpu="NVIDIA GeForce RTX 5090"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(5).textContent()).toBe('$0.890');
    // the tier comes from the fleet's answer, which may land after the cost table
    await expect.poll(() => row.locator('td').nth(1).textContent(), { timeout: 15_000 }).toBe('32 GB');
    expect(await page.getByTestId('cost-total').textContent()).toMatch(/^\$\d/);
    expect(await page.getByTestId('cost-move').textContent()).toMatch(/On NVIDIA (GeForce RTX 4090|A10G) \(\$0\.\d+\/GPU-h\): \$[\d.,]+ instead of \$[\d.,]+/);
    await page.getByTestId('cost-by-host').waitFor({ timeout: 15_000 });
    // the interrupted and resumed trailer batch costs money: its jobs' share of its GPU's samples, priced
    const trailer = page.getByTestId('cost-campaign-row').filter({ hasText: 'trailer-stills-v3' });
    await trailer.waitFor({ timeout: 15_000 });
    expect(Number((await trailer.locator('td').nth(1).textContent())?.replace(/,/g, ''))).toBeGreaterThanOrEqual(180);
    expect(await trailer.getByTestId('cost-campaign-cost').textContent()).toMatch(/^\$\d+\.\d+/);
    expect(await trailer.getByTestId('cost-campaign-per-image').textContent()).toMatch(/^\$0\.\d+/);
    await shot(page, 'cost');
  });

  it('versions: the A100 ComfyUI upgrade and the errors after it; the 5090 Flux file whose new hash made each image slower', async () => {
    const a100 = await open('/versions?range=24h&host=video-a100-01');
    await a100.getByTestId('versions-changes').waitFor({ timeout: 15_000 });
    expect(await a100.getByTestId('versions-changes').textContent()).toContain('comfyui 0.3.56 → 0.3.62');
    await a100.context().close();
    const ws = await open('/versions?range=24h&host=ws-5090-01');
    const change = ws.getByTestId('versions-change').filter({ hasText: 'flux1-dev-fp8.safetensors 8e91b68084 → 0f7a3c1e55' });
    await change.click({ timeout: 15_000 });
    // the table of the change clicked (the one shown before, of the latest change, may stay until it loads)
    await ws.waitForURL((u) => u.searchParams.has('change'), { timeout: 15_000 });
    const at = new URL(ws.url()).searchParams.get('change') ?? '';
    const table = `[data-testid="around-table"][data-change="${at}"]`;
    const fluxRow = ws.locator(`${table} [data-testid="around-row"][data-model="flux1-dev-fp8.safetensors"]`);
    // the bf16 file: each image takes the story's durationFactor as long (1.15: +15%). The page compares
    // p50 seconds per image, which the batch/repeat mix does not move (the job p50 did: 28 of 400 replays
    // fell outside +5..+45%). Band from a replay of generateChunk for ws-5090-01 (this story, 4 chunks of
    // 6 h) over 400 end times, p50 per image of the day before the hash change and the hours after it:
    // 6%..25%, none outside the band (2 of 1,998 more end times, both with 4-6 Flux jobs after it).
    const factor = demoFleetSpecs()
      .find((h) => h.hostname === 'ws-5090-01')
      ?.story.modelSwaps?.find((m) => m.model === 'flux1-dev-fp8.safetensors')?.durationFactor;
    const expected = Math.round(((factor ?? Number.NaN) - 1) * 100);
    const text = (await fluxRow.locator('[data-testid="around-duration"]').textContent({ timeout: 15_000 })) ?? '';
    expect(await ws.locator(`${table} [data-testid="around-duration-header"]`).textContent()).toContain('p50 seconds per image before → after');
    expect(await fluxRow.getAttribute('data-basis'), text).toBe('per_image');
    expect(text).toMatch(/^\d+\.\d s\/image → \d+\.\d s\/image \(\+\d+%\)$/);
    const pct = Number(/\(\+(\d+)%\)/.exec(text)?.[1] ?? 'NaN');
    expect(expected).toBe(15); // the band was replayed for this factor: a new factor needs a new replay
    expect(pct, text).toBeGreaterThanOrEqual(expected - 12);
    expect(pct, text).toBeLessThanOrEqual(expected + 15);
    await shot(ws, 'versions');
  });

  it('campaigns: the interrupted trailer batch resumed where it was, the Wan batch still running with an ETA', async () => {
    const page = await open('/campaigns?range=24h');
    const trailer = page.locator('[data-testid="campaign-row"][data-campaign="trailer-stills-v3"]');
    await trailer.waitFor({ timeout: 15_000 });
    expect(await trailer.getByTestId('campaign-progress').textContent()).toContain('180 / 180 jobs');
    expect(await trailer.getByTestId('campaign-interruptions').textContent()).toBe('1 · resumed');
    expect(await page.locator('[data-testid="campaign-row"][data-campaign="wan-teasers-night"] [data-testid="campaign-status"]').textContent()).toBe('running');
    await shot(page, 'campaigns');
    const detail = await open('/campaigns?range=24h');
    await detail.locator('[data-testid="campaign-row"][data-campaign="trailer-stills-v3"] a').click({ timeout: 15_000 });
    // the job lost in the restart was run again (its job key done once before? no: lost, so resumed), the rest went on
    expect(await detail.getByTestId('interruption-after').textContent({ timeout: 15_000 })).toMatch(/^\d+ resumed \/ 0 redone$/);
    // and what it cost, the same attribution as the Cost page's campaign row
    expect(await detail.getByTestId('campaign-cost-money').textContent({ timeout: 15_000 })).toMatch(/\$\d+\.\d+/);
    await shot(detail, 'campaign-detail');
  });

  it('bad input: a garbage range, an unknown SLO or host and a 10 kB query string each get a clear state', async () => {
    const garbage = await open('/cost?from=yesterday&to=%00%00');
    expect(await garbage.getByTestId('range-invalid').textContent({ timeout: 15_000 })).toContain('not a valid time range');
    await garbage.context().close();
    const slo = await open('/slos/no-such-slo');
    expect(await slo.getByTestId('not-found').textContent({ timeout: 15_000 })).toContain('No SLO named no-such-slo');
    await slo.context().close();
    const host = await open('/hosts/no-such-host');
    expect(await host.getByTestId('not-found').textContent({ timeout: 15_000 })).toContain('No host named no-such-host');
    await host.context().close();
    const long = await open(`/starts?host=${'x'.repeat(10_000)}`);
    await long.locator('[data-testid="error-state"], [data-testid="empty-state"]').first().waitFor({ timeout: 15_000 });
    expect(await long.locator('h1').textContent()).toBe('Starts & time to first image');
    await long.context().close();
  });
});
