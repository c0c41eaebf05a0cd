// dashboard-load: production bundle size and first-load time of every dashboard page in Debian's
// Chromium against a real collector holding the demo's history (simulator fillHistory: the story
// fleet's days sent through the agents' export path, as `npm run demo` does).
//   node --import tsx bench/src/dashboard-load.ts [--days 7] [--runs 5] [--pages host,cost] [--detail]
// --detail prints each page's waterfall of its median run (Resource Timing: when the entry script,
// the page chunks and every API answer arrived, ms after navigation start) — where the time goes.
// "First meaningful paint" here = navigation start → the page's data element (host rows, tables,
// charts) is on screen, each run in a fresh browser context (cold cache, no service worker). FCP
// (first-contentful-paint from the Paint Timing API) is printed beside it, and "on screen in-page": the
// first frame after the data element entered the DOM, timed inside the page (watchReady) — the same
// moment without the harness's polling and CDP round trips.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseCollectorConfig, refreshCapacity, startCollector } from '@renderwatch/collector';
import { demoFleetSpecs, fillHistory } from '@renderwatch/simulator';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { benchClickHouse, machineLine, percentile } from './bench-env.js';

const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '7' },
    runs: { type: 'string', default: '5' },
    pages: { type: 'string', default: '' },
    detail: { type: 'boolean', default: false },
  },
});
const DAYS = Number(args.days);
const RUNS = Number(args.runs);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dashboard', 'dist');
const TARGET_MS = 1500;
const TARGET_KB = 400;

/** Same-run baseline: a fresh context loading a tiny JSON document from the same collector. */
const BASELINE = { name: 'baseline', path: '/healthz', ready: 'body' };

const STATES = '[data-testid="empty-state"], [data-testid="not-found"], [data-testid="error-state"]';
const PAGES = [
  { name: 'fleet', path: '/', ready: '[data-testid="host-row"]' },
  // a drawn utilization line: the SVG path QuickChart draws first, or Recharts' line
  { name: 'host', path: '/hosts/rack-b-a10g-01', ready: '[data-testid="chart-percent"] path.quick-line, [data-testid="chart-percent"] .recharts-line' },
  { name: 'slos', path: '/slos', ready: `[data-testid="slo-table"], ${STATES}` },
  { name: 'slo', path: '/slos/batch-job-completion', ready: `[data-testid="slo-detail-budget"], ${STATES}` },
  { name: 'alerts', path: '/alerts', ready: `[data-testid="alert-table"], ${STATES}` },
  { name: 'ooms', path: '/ooms?range=7d', ready: `[data-testid="oom-table"], ${STATES}` },
  { name: 'slowdowns', path: '/slowdowns', ready: `[data-testid="slowdown-table"], ${STATES}` },
  { name: 'capacity', path: '/capacity?range=7d', ready: `[data-testid="capacity-table"], ${STATES}` },
  { name: 'starts', path: '/starts?range=7d', ready: `[data-testid="starts-runtime-table"], ${STATES}` },
  { name: 'cost', path: '/cost?range=7d', ready: `[data-testid="cost-model-table"], ${STATES}` },
  { name: 'versions', path: '/versions?range=7d', ready: `[data-testid="versions-timeline"], ${STATES}` },
  { name: 'campaigns', path: '/campaigns?range=7d', ready: `[data-testid="campaign-table"], ${STATES}` },
];

/**
 * In the page, from navigation start: the first animation frame after the ready element is in the
 * DOM (a MutationObserver sees it) — when it is on screen, without the harness's polling and CDP
 * round trips that the main figure includes. Installed before any page script runs.
 */
function watchReady(sel: string): string {
  return `(() => {
    const sel = ${JSON.stringify(sel)};
    const mo = new MutationObserver(() => {
      if (document.querySelector(sel) === null) return;
      mo.disconnect();
      requestAnimationFrame(() => { window.rwBenchOnScreen ??= performance.now(); });
    });
    mo.observe(document, { childList: true, subtree: true });
  })();`;
}

/** In-page expression: an element matching `sel` has a box and is not hidden (Playwright's "visible"). */
function visibleCheck(sel: string): string {
  return `[...document.querySelectorAll(${JSON.stringify(sel)})].some((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  })`;
}

const ONLY = args.pages === '' ? undefined : new Set(args.pages.split(','));

/** One load's waterfall, ms after navigation start: scripts and API answers (start → end). */
interface Waterfall {
  html: number;
  items: { what: string; start: number; end: number }[];
}

function waterfallText(w: Waterfall, ready: number): string {
  const items = w.items.map((i) => `${i.what} ${i.start.toFixed(0)}→${i.end.toFixed(0)}`);
  return `html ${w.html.toFixed(0)} · ${items.join(' · ')} · ready ${ready}`;
}

function build(): void {
  const r = spawnSync('pnpm', ['--filter', '@renderwatch/dashboard', 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(DIST, 'index.html'))) throw new Error('dashboard build failed');
}

/** All JS and CSS, and the entry script index.html loads first (charts are a lazy chunk). */
function bundleSizes(): { js: number; jsGzip: number; entryGzip: number; css: number; cssGzip: number } {
  const out = { js: 0, jsGzip: 0, entryGzip: 0, css: 0, cssGzip: 0 };
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  for (const f of readdirSync(join(DIST, 'assets'))) {
    const buf = readFileSync(join(DIST, 'assets', f));
    const gz = gzipSync(buf, { level: 9 }).length;
    if (f.endsWith('.js')) {
      out.js += buf.length;
      out.jsGzip += gz;
      if (html.includes(`<script type="module" crossorigin src="/assets/${f}"`)) out.entryGzip += gz;
    } else if (f.endsWith('.css')) {
      out.css += buf.length;
      out.cssGzip += gz;
    }
  }
  return out;
}

async function seed(address: string): Promise<number> {
  const p = await fillHistory({ specs: demoFleetSpecs(), address, endMs: Date.now(), days: DAYS, log: pino({ level: 'silent' }) });
  if (p.failedBatches > 0) throw new Error(`seeding: ${p.failedBatches} batches refused`);
  return p.rows;
}

async function main(): Promise<void> {
  console.log(machineLine());
  build();
  const size = bundleSizes();
  console.log(
    `bundle: JS ${(size.js / 1024).toFixed(0)} kB (${(size.jsGzip / 1024).toFixed(0)} kB gzip, of which the entry script ${(size.entryGzip / 1024).toFixed(0)} kB), CSS ${(size.css / 1024).toFixed(1)} kB (${(size.cssGzip / 1024).toFixed(1)} kB gzip)`,
  );
  const ch = await benchClickHouse();
  const dir = await mkdtemp(join(tmpdir(), 'rw-bench-dash-'));
  const parsed = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: ch.url,
    COLLECTOR_CLICKHOUSE_DATABASE: `rw_bench_dash_${process.pid}`,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
    COLLECTOR_DASHBOARD_DIR: DIST,
    COLLECTOR_GPU_PRICES: 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80',
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const collector = await startCollector(parsed.config, pino({ level: 'silent' }));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir },
  });
  try {
    const t0 = Date.now();
    const rows = await seed(`127.0.0.1:${collector.grpcPort}`);
    await refreshCapacity(collector.storage, new Date(Date.now() - (DAYS * 24 + 1) * 3600_000), new Date(Date.now() + 3600_000));
    await collector.evaluator.tick();
    console.log(`seeded: the demo's ${DAYS}-day history (${demoFleetSpecs().length} hosts), ${rows} rows in ${Date.now() - t0} ms`);
    const base = `http://127.0.0.1:${collector.httpPort}`;
    const results: { name: string; p50: number; worst: number; fcp: number; onScreen: number; detail: string }[] = [];
    for (const p of [BASELINE, ...PAGES.filter((x) => ONLY === undefined || ONLY.has(x.name))]) {
      const times: number[] = [];
      const fcps: number[] = [];
      const falls: Waterfall[] = [];
      const onScreen: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        await ctx.addInitScript({ content: watchReady(p.ready) });
        const page = await ctx.newPage();
        const start = Date.now();
        await page.goto(`${base}${p.path}`, { waitUntil: 'commit' });
        // polled every animation frame in the page (a locator's wait polls with a backoff of up to 500 ms)
        await page.waitForFunction(visibleCheck(p.ready), undefined, { polling: 'raf', timeout: 30_000 });
        // that check runs before the frame is painted: wait for the frame itself (rAF, then a task after it)
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
        times.push(Date.now() - start);
        fcps.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN));
        onScreen.push(await page.evaluate(() => (globalThis as { rwBenchOnScreen?: number }).rwBenchOnScreen ?? Number.NaN));
        if (args.detail)
          falls.push(
            await page.evaluate(() => {
              // (this file is typed without the DOM library: the entries' fields used here)
              const entries = performance.getEntriesByType.bind(performance) as unknown as (
                t: string,
              ) => { name: string; startTime: number; responseEnd: number }[];
              const nav = entries('navigation')[0];
              const items = entries('resource')
                .filter((r) => (r.name.includes('/assets/') ? r.name.endsWith('.js') : r.name.includes('/api/')))
                .map((r) => {
                  const u = new URL(r.name);
                  const what = u.pathname.startsWith('/assets/') ? u.pathname.slice(8).replace(/-[\w-]{8}\.js$/, '') : u.pathname.replace('/api/v1', '');
                  return { what, start: r.startTime, end: r.responseEnd };
                })
                .sort((a, b) => a.start - b.start);
              return { html: nav?.responseEnd ?? Number.NaN, items };
            }),
          );
        await ctx.close();
      }
      const sorted = [...times].sort((a, b) => a - b);
      const fs = [...fcps].sort((a, b) => a - b);
      const os = [...onScreen].sort((a, b) => a - b);
      const mid = times.indexOf(percentile(sorted, 50));
      const fall = falls[mid];
      const detail = fall === undefined ? '' : waterfallText(fall, times[mid] ?? Number.NaN);
      results.push({
        name: p.name,
        p50: percentile(sorted, 50),
        worst: sorted[sorted.length - 1] ?? Number.NaN,
        fcp: percentile(fs, 50),
        onScreen: percentile(os, 50),
        detail,
      });
    }
    const base0 = results[0]?.p50 ?? Number.NaN;
    console.log(
      `page        meaningful paint p50 / max (ms)   FCP p50 (ms)   on screen in-page p50 (ms)   × baseline (${base0} ms: fresh context + tiny JSON)`,
    );
    for (const r of results)
      console.log(
        `${r.name.padEnd(12)}${`${r.p50} / ${r.worst}`.padEnd(34)}${r.fcp.toFixed(0).padEnd(15)}${r.onScreen.toFixed(0).padEnd(29)}${(r.p50 / base0).toFixed(1)}×`,
      );
    if (args.detail) for (const r of results.slice(1)) console.log(`  ${r.name}: ${r.detail}`);
    const pages = results.slice(1);
    const worst = pages.reduce((a, b) => (b.p50 > a.p50 ? b : a));
    console.log(
      `bundle: JS ${(size.jsGzip / 1024).toFixed(0)} kB gzip (target < ${TARGET_KB} kB); worst page ${(worst.p50 / base0).toFixed(1)}× the same-run baseline`,
    );
    console.log(`dashboard-load: ${worst.name} ${(worst.p50 / 1000).toFixed(2)} s (target < ${(TARGET_MS / 1000).toFixed(1)} s)`);
  } finally {
    await browser.close();
    await collector.stop();
    await ch.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
