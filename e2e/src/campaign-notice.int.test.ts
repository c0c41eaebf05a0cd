// The campaign completion notice and the campaign-counted batch SLO through the real alert
// pipeline: campaign events → gRPC ingest → ClickHouse → the evaluator (injected clock) → a real
// Prometheus Alertmanager and a local HMAC-checking webhook; the SLO answer from /api/v1/slos.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw, SIGNATURE_HEADER, verifyWebhookSignature } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import type { RuntimeEvent } from '@renderwatch/schema';
import { SloListResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverEvents } from './campaign-harness.js';
import { startTestCollector } from './test-collector.js';
import { stop } from './peer-dashboards-harness.js';

const AM_BIN = '/usr/bin/prometheus-alertmanager';
const SECRET = 'campaign-notice-secret';
const SLO_FILE = `version: renderwatch/v1
slos:
  - name: batch-campaign-completion
    indicator: { kind: campaign_completion }
    objective: 95
    window: 30d
    min_events: 1
alerts:
  - name: campaign-finished
    kind: campaign_finished
    window: 1h
    severity: info
`;

interface Hook {
  body: { status: string; alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] };
  signed: boolean;
}

async function startAlertmanager(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n");
  const proc = spawn(
    AM_BIN,
    [`--config.file=${config}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    {
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error('alertmanager did not become ready');
}

describe('campaign completion notice and campaign SLO through the alert pipeline', () => {
  const T = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;
  const at = (min: number): string => new Date(T + min * 60_000).toISOString();
  let clock = T;
  let dir: string;
  let am: { url: string; proc: ChildProcess };
  let server: Server;
  const received: Hook[] = [];
  let c: Awaited<ReturnType<typeof startTestCollector>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-campaign-notice-'));
    await writeFile(join(dir, 'slos.yaml'), SLO_FILE);
    am = await startAlertmanager(dir);
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (b: Buffer) => (text += b.toString('utf8')));
      req.on('end', () => {
        const sig = req.headers[SIGNATURE_HEADER];
        received.push({
          body: JSON.parse(text) as Hook['body'],
          signed: typeof sig === 'string' && verifyWebhookSignature(SECRET, sig, text, Math.floor(Date.now() / 1000)),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    c = await startTestCollector(
      inject('clickhouseUrl'),
      {
        COLLECTOR_SLO_FILE: join(dir, 'slos.yaml'),
        COLLECTOR_SLO_EVAL_INTERVAL_S: '0',
        COLLECTOR_ALERT_LEASE_SETTLE_MS: '0',
        COLLECTOR_ALERTMANAGER_URL: am.url,
        COLLECTOR_ALERT_WEBHOOK_URLS: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/hook`,
        COLLECTOR_ALERT_WEBHOOK_SECRET: SECRET,
        COLLECTOR_ALERT_RESEND_S: '3600', // endsAt = the injected clock + 4 h, still ahead of Alertmanager's real clock
        COLLECTOR_INGEST_LINGER_MS: '0',
        COLLECTOR_API_CACHE_TTL_MS: '0',
      },
      { now: () => clock },
    );
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    await stop(am?.proc);
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends "campaign X finished: 4,812/4,820 images, 2 interruptions, resumed" once, and counts campaigns in the batch SLO', async () => {
    const job = (id: string, campaign: string, startMin: number, images: number): RuntimeEvent[] => [
      { kind: 'job_start', runtime: 'comfyui', ts: at(startMin), job_id: id, campaign_id: campaign },
      { kind: 'job_end', runtime: 'comfyui', ts: at(startMin + 1), job_id: id, outcome: 'ok', images, campaign_id: campaign, job_key: `k-${id}` },
    ];
    await deliverEvents(c, 'agent-notice', 1, [
      // spring lookbook: 2 planned jobs of 2,410 images, 4,820 planned; each job made 2,406 (8 fewer)
      { kind: 'campaign', runtime: 'comfyui', ts: at(-21), campaign_id: 'l-spring', label: 'spring lookbook', planned_jobs: 2, planned_images: 4820 },
      ...job('p-1', 'l-spring', -20, 2406),
      { kind: 'campaign', runtime: 'comfyui', ts: at(-18), campaign_id: 'l-spring', interruption: 'runtime_restart', lost_jobs: 0 },
      { kind: 'campaign', runtime: 'comfyui', ts: at(-17), campaign_id: 'l-spring', interruption: 'agent_restart' },
      ...job('p-2', 'l-spring', -16, 2406),
      // night run: 5 planned, one done 25 min ago: stalled
      { kind: 'campaign', runtime: 'comfyui', ts: at(-26), campaign_id: 'l-night', label: 'night run', planned_jobs: 5 },
      ...job('p-9', 'l-night', -26, 1),
    ]);
    const r = await c.evaluator.tick();
    expect(r).toMatchObject({ skipped: false, slos: 1, deadLetters: 0 });

    const firing = received.flatMap((m) => m.body.alerts.filter((a) => a.labels['alertname'] === 'CampaignFinished'));
    expect(firing.map((a) => [a.status, a.labels['campaign'], a.labels['severity'], a.annotations['summary']])).toEqual([
      ['firing', 'l-spring', 'info', 'campaign spring lookbook finished: 4,812/4,820 images, 2 interruptions, resumed'],
    ]);
    expect(received.every((m) => m.signed)).toBe(true);
    const amAlerts = (await (await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="CampaignFinished"')}`)).json()) as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
    expect(amAlerts.map((a) => [a.labels['campaign'], a.labels['campaign_label'], a.annotations['summary']])).toEqual([
      ['l-spring', 'spring lookbook', 'campaign spring lookbook finished: 4,812/4,820 images, 2 interruptions, resumed'],
    ]);

    // campaign SLO: two campaigns ended (spring finished with every job, night stalled): 1 good of 2
    const slos = SloListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/slos`)).json());
    expect(slos.slos[0]).toMatchObject({ name: 'batch-campaign-completion', good: 1, valid: 2, sli: 0.5 });

    // a tick later nothing is sent again; after the hour the notice resolves
    received.length = 0;
    clock = T + 5 * 60_000;
    await c.evaluator.tick();
    expect(received.flatMap((m) => m.body.alerts.filter((a) => a.labels['alertname'] === 'CampaignFinished'))).toEqual([]);
    clock = T + 50 * 60_000;
    await c.evaluator.tick();
    expect(received.flatMap((m) => m.body.alerts.filter((a) => a.labels['alertname'] === 'CampaignFinished').map((a) => a.status))).toEqual(['resolved']);
  });
});
