// Wires SLOs and alerts into the app: the SLO file source, the notifiers from config and the
// evaluator (run as the `slo-evaluator` job by startCollector, see ../jobs.ts). The /api/v1/slos and
// /api/v1/alerts routes are registered by ../http/api-routes.ts with the SLO source from here.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CollectorConfig } from '../config.js';
import { createSloSource, type SloSource } from '../slo/slo-source.js';
import type { Storage } from '../storage/clickhouse.js';
import { createAlertEngine, type AlertEngine } from './engine.js';
import { createNotifier, type ChannelConfig } from './notifiers/index.js';

export const DEFAULT_SLO_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'slo', 'default-slos.yaml');

export interface SloAlertingDeps {
  storage: Storage;
  log: Logger;
  now: () => number;
  /** the collector's metrics registry: alert deliveries and dead letters are counted there */
  registry: Registry;
}

export function channelsOf(cfg: CollectorConfig): ChannelConfig[] {
  const out: ChannelConfig[] = [];
  if (cfg.COLLECTOR_ALERTMANAGER_URL !== '') out.push({ type: 'alertmanager', url: cfg.COLLECTOR_ALERTMANAGER_URL });
  for (const url of cfg.COLLECTOR_ALERT_WEBHOOK_URLS) {
    out.push({ type: 'webhook', url, secret: cfg.COLLECTOR_ALERT_WEBHOOK_SECRET });
  }
  return out;
}

export interface SloAlerting {
  engine: AlertEngine;
  slos: SloSource;
  /** COLLECTOR_PUBLIC_URL without a trailing slash (links in notifications and alert DTOs) */
  publicUrl: string;
}

export function createSloAlerting(cfg: CollectorConfig, deps: SloAlertingDeps): SloAlerting {
  const slos = createSloSource(cfg.COLLECTOR_SLO_FILE === '' ? DEFAULT_SLO_FILE : cfg.COLLECTOR_SLO_FILE, deps.log.child({ module: 'slo.source' }));
  const publicUrl = cfg.COLLECTOR_PUBLIC_URL.replace(/\/+$/, '');
  const deliveries = new Counter({
    name: 'renderwatch_collector_alert_notifications_total',
    help: 'Alert notification batches by channel and outcome (dead_letter = given up after retries)',
    labelNames: ['channel', 'outcome'],
    registers: [deps.registry],
  });
  // signatures carry the wall-clock time receivers check against, not the evaluation clock
  const env = { fetch, timeoutMs: 5000, nowS: () => Math.floor(Date.now() / 1000), externalUrl: publicUrl };
  const engine = createAlertEngine({
    storage: deps.storage,
    log: deps.log,
    now: deps.now,
    slos,
    notifiers: channelsOf(cfg).map((c) => createNotifier(c, env)),
    publicUrl,
    intervalS: Math.max(1, cfg.COLLECTOR_SLO_EVAL_INTERVAL_S),
    resendS: cfg.COLLECTOR_ALERT_RESEND_S,
    replicaId: cfg.COLLECTOR_REPLICA_ID === '' ? randomBytes(6).toString('hex') : cfg.COLLECTOR_REPLICA_ID,
    leaseSettleMs: cfg.COLLECTOR_ALERT_LEASE_SETTLE_MS,
    delivery: { attempts: 3, baseDelayMs: 500, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    onDelivery: (channel, outcome) => deliveries.inc({ channel, outcome }),
  });
  return { engine, slos, publicUrl };
}
