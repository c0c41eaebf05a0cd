// SLO burn-rate alerts end to end: runtime events through the real gRPC ingest → ClickHouse →
// evaluator (injected clock) → a real Prometheus Alertmanager and a local HMAC-checking webhook.
// Then a collector restart (no second notification), recovery (resolved), and a broken SLO file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimedEvent } from '@renderwatch/agent';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { raw, SIGNATURE_HEADER, verifyWebhookSignature } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import type { ExportRequest } from '@renderwatch/proto';
import { AlertListResponseSchema, SloListResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';
import { stop } from './peer-dashboards-harness.js';

const AM_BIN = '/usr/bin/prometheus-alertmanager';
const SECRET = 'webhook-test-secret';
const SLO_FILE = `version: renderwatch/v1
slos:
  - name: warm-start-ready
    indicator: { kind: warm_start, threshold: 5m }
    objective: 99
    min_events: 10
    labels: { category: startup }
    alerting:
      runbook_url: docs/runbooks/slo-warm-start.md
`;

interface Received {
  body: { status: string; commonLabels: Record<string, string>; alerts: { status: string; fingerprint: string; startsAt: string }[] };
  signed: boolean;
}

async function startAlertmanager(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n");
  const proc = spawn(
    AM_BIN,
    [`--config.file=${config}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error('alertmanager did not become ready');
}

async function startReceiver(nowS: () => number): Promise<{ url: string; server: Server; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      const sig = req.headers[SIGNATURE_HEADER];
      received.push({ body: JSON.parse(text) as Received['body'], signed: typeof sig === 'string' && verifyWebhookSignature(SECRET, sig, text, nowS()) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/hook`, server, received };
}

/** `n` warm starts that became ready at `lastReadyMs`, 10 s apart backwards, each taking `startupS`. */
function starts(n: number, lastReadyMs: number, startupS: number): TimedEvent[] {
  const out: TimedEvent[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const ready = lastReadyMs - i * 10_000;
    out.push({ ts_unix_ms: ready - startupS * 1000, event: { kind: 'runtime_start', runtime: 'comfyui', version: '0.3.56' } });
    out.push({ ts_unix_ms: ready, event: { kind: 'runtime_ready', runtime: 'comfyui', startup_s: startupS } });
  }
  return out;
}

let seq = 1;
async function send(address: string, events: TimedEvent[]): Promise<void> {
  let built: ExportRequest | undefined;
  const b = createBatcher({
    agentId: 'agent-slo-1',
    host: { hostname: 'render-slo-01', driverVersion: '595.80', cudaVersion: '13.0', agentVersion: '0.1.0', labels: {} },
    firstSeq: seq++,
    maxRows: 10_000,
    flushIntervalMs: 60_000,
    deliver: (r) => {
      built = r;
    },
  });
  for (const e of events) b.addEvent(e);
  b.flush();
  if (built === undefined) throw new Error('no batch');
  const client = createExportClient({ address });
  const r = await client.send(built, 5000);
  client.close();
  if (r.status !== 'ok') throw new Error(`export failed: ${r.status}`);
}

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
  generatorURL: string;
}
async function amAlerts(url: string): Promise<AmAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts?active=true&filter=${encodeURIComponent('slo="warm-start-ready"')}`);
  return (await res.json()) as AmAlert[];
}

describe('SLO burn-rate alerts delivered to Alertmanager and a webhook', () => {
  const chUrl = inject('clickhouseUrl');
  const realStart = Date.now();
  // the story starts 40 minutes ago, so that "recovered" is Alertmanager's present
  const T = realStart - 40 * 60_000;
  let clock = T;
  let dir: string;
  let am: { url: string; proc: ChildProcess };
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let env: Record<string, string>;
  let c: Awaited<ReturnType<typeof startTestCollector>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-alerts-'));
    await writeFile(join(dir, 'slos.yaml'), SLO_FILE);
    am = await startAlertmanager(dir);
    hook = await startReceiver(() => Math.floor(Date.now() / 1000));
    env = {
      COLLECTOR_SLO_FILE: join(dir, 'slos.yaml'),
      COLLECTOR_SLO_EVAL_INTERVAL_S: '0',
      COLLECTOR_ALERT_LEASE_SETTLE_MS: '0',
      COLLECTOR_ALERTMANAGER_URL: am.url,
      COLLECTOR_ALERT_WEBHOOK_URLS: hook.url,
      COLLECTOR_ALERT_WEBHOOK_SECRET: SECRET,
      COLLECTOR_ALERT_RESEND_S: '3600',
      COLLECTOR_PUBLIC_URL: 'http://rw.example:8470',
      COLLECTOR_REPLICA_ID: 'replica-a',
    };
    c = await startTestCollector(chUrl, env, { now: () => clock });
  });

  afterAll(async () => {
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
    await stop(am.proc);
    await new Promise<void>((r) => hook.server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('pages when warm starts take 10 minutes, in Alertmanager with the SLO labels and on the webhook', async () => {
    await send(`127.0.0.1:${c.grpcPort}`, starts(12, T - 5_000, 600));
    const r = await c.evaluator.tick();
    expect(r).toMatchObject({ skipped: false, tenants: 1, slos: 1, deadLetters: 0 });
    const alerts = await amAlerts(am.url);
    const page = alerts.find((a) => a.labels.severity === 'critical');
    expect(page?.labels).toEqual({ alertname: 'SloErrorBudgetBurn', slo: 'warm-start-ready', severity: 'critical', tenant: 'default', category: 'startup' });
    expect(page?.startsAt).toBe(new Date(Math.floor(T / 1000) * 1000).toISOString());
    expect(page?.generatorURL).toBe('http://rw.example:8470/slos/warm-start-ready');
    expect(alerts.map((a) => a.labels.severity).sort()).toEqual(['critical', 'warning']);
    const firing = hook.received.filter((m) => m.body.status === 'firing');
    expect(firing.map((m) => m.body.commonLabels.severity).sort()).toEqual(['critical', 'warning']);
    expect(hook.received.every((m) => m.signed)).toBe(true);

    const slos = SloListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/slos`)).json());
    expect(slos.slos[0]).toMatchObject({ name: 'warm-start-ready', status: 'page', good: 0, valid: 12, sli: 0 });
    expect(slos.slos[0]?.windows.find((w) => w.window === '5m')?.burn_rate).toBeCloseTo(100, 6);
  });

  it('neither re-pages nor drops the alert when the collector restarts', async () => {
    const before = hook.received.length;
    const startsAt = (await amAlerts(am.url)).find((a) => a.labels.severity === 'critical')?.startsAt;
    await c.stop();
    clock = T + 60_000;
    c = await startTestCollector(
      chUrl,
      { ...env, COLLECTOR_CLICKHOUSE_DATABASE: c.config.COLLECTOR_CLICKHOUSE_DATABASE, COLLECTOR_REPLICA_ID: 'replica-b' },
      { now: () => clock },
    );
    const r = await c.evaluator.tick();
    expect(r).toMatchObject({ skipped: false, notified: 0 });
    expect(hook.received.length).toBe(before);
    const listed = AlertListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/alerts?state=firing`)).json());
    expect(listed.alerts.map((a) => a.severity).sort()).toEqual(['critical', 'warning']);
    expect(listed.alerts.find((a) => a.severity === 'critical')?.fired_at).toBe(new Date(Math.floor(T / 1000) * 1000).toISOString());
    expect((await amAlerts(am.url)).find((a) => a.labels.severity === 'critical')?.startsAt).toBe(startsAt);
  });

  it('resolves the page once warm starts are fast again, in Alertmanager and on the webhook', async () => {
    clock = realStart - 2_000;
    await send(`127.0.0.1:${c.grpcPort}`, starts(20, clock - 1_000, 30));
    const r = await c.evaluator.tick();
    expect(r.deadLetters).toBe(0);
    const resolved = hook.received.filter((m) => m.body.status === 'resolved');
    expect(resolved.map((m) => m.body.commonLabels.severity)).toEqual(['critical']);
    expect(resolved[0]?.signed).toBe(true);
    // the ticket (3d/6h) keeps firing: the slow starts are still inside its 6 h short window
    expect((await amAlerts(am.url)).map((a) => a.labels.severity)).toEqual(['warning']);
    const history = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/alerts?state=resolved`).then(async (x) => AlertListResponseSchema.parse(await x.json()));
    expect(history.alerts.map((a) => [a.severity, a.state])).toEqual([['critical', 'resolved']]);
  });

  it('refuses a broken SLO file naming the line and keeps serving the last good set', async () => {
    await writeFile(join(dir, 'slos.yaml'), SLO_FILE.replace('objective: 99', 'objective: 990'));
    const r = await c.evaluator.tick();
    expect(r.slos).toBe(1);
    const slos = SloListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/slos`)).json());
    expect(slos.slos.map((s) => [s.name, s.objective])).toEqual([['warm-start-ready', 0.99]]);
  });
});
