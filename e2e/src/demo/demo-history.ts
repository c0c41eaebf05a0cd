// The demo's history: the story fleet's past sent through the agents' export path (simulator
// fillHistory), then the collector's own SLO and alert evaluator run over the last hours at past
// instants (a second evaluator built by buildApp with a clock that walks forward), so the alerts
// page shows what that engine decided: alerts that fired and resolved, and the ones still firing.
import { buildApp, refreshCapacity, type CollectorConfig, type RunningCollector } from '@renderwatch/collector';
import { demoFleetSpecs, fillHistory, type DemoHostSpec, type HistoryProgress } from '@renderwatch/simulator';
import type { Logger } from 'pino';

export interface DemoHistoryResult {
  progress: HistoryProgress;
  fillMs: number;
  ticks: number;
  replayMs: number;
  acked: string | undefined;
}

const H = 3600_000;

function progressLine(p: HistoryProgress, endMs: number, t0: number): string {
  const hours = Math.round((endMs - p.filledFromMs) / H);
  const all = Math.round((p.chunks * (endMs - p.filledFromMs)) / Math.max(1, p.chunksDone) / H);
  return `history: ${hours} h of ${all} h in, newest first (${p.rows.toLocaleString('en-US')} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s)`;
}

/** Runs the collector's evaluator at past instants from `fromMs` to `toMs` every `stepS` seconds. */
async function replayAlerts(cfg: CollectorConfig, collector: RunningCollector, log: Logger, fromMs: number, toMs: number, stepS: number): Promise<number> {
  let virtual = fromMs;
  const replayCfg: CollectorConfig = {
    ...cfg,
    COLLECTOR_SLO_EVAL_INTERVAL_S: stepS,
    COLLECTOR_RETENTION_INTERVAL_S: 0,
    COLLECTOR_CAPACITY_REFRESH_S: 0,
    COLLECTOR_ALERT_LEASE_SETTLE_MS: 0,
    COLLECTOR_REPLICA_ID: 'demo-history-replay',
  };
  const app = await buildApp(replayCfg, { storage: collector.storage, log: log.child({ module: 'demo.replay' }), now: () => virtual });
  let ticks = 0;
  try {
    for (virtual = fromMs; virtual <= toMs; virtual += stepS * 1000) {
      await app.evaluator.tick();
      ticks++;
    }
  } finally {
    await app.http.close();
  }
  return ticks;
}

/** Acknowledges the hot rack's firing alert (its temperature rule, or the throttling SLO's ticket) through the API, as an operator would. */
async function ackOne(baseUrl: string): Promise<string | undefined> {
  const res = await fetch(`${baseUrl}api/v1/alerts?state=firing`);
  if (!res.ok) return undefined;
  const body = (await res.json()) as { alerts?: { fingerprint: string; severity: string; alertname: string; source: string; rule: string }[] };
  // the hot rack's temperature alert: known, being worked on (the burning SLO stays unacknowledged)
  const alerts = body.alerts ?? [];
  const pick =
    alerts.find((a) => a.rule === 'gpu-hot') ??
    alerts.find((a) => a.rule === 'thermal-throttle') ??
    alerts.find((a) => a.severity !== 'critical' && a.severity !== 'page');
  if (pick === undefined) return undefined;
  const ack = await fetch(`${baseUrl}api/v1/alerts/${encodeURIComponent(pick.fingerprint)}/ack`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ by: 'demo-oncall' }),
  });
  return ack.ok ? `${pick.alertname} (${pick.rule})` : undefined;
}

export interface DemoHistoryOptions {
  cfg: CollectorConfig;
  collector: RunningCollector;
  grpcAddress: string;
  baseUrl: string;
  days: number;
  endMs: number;
  log: Logger;
  say: (msg: string) => void;
  specs?: readonly DemoHostSpec[];
  /** Sample interval of the newest day (default 60 s; tests use a coarser one). */
  sampleIntervalMs?: number;
}

export async function runDemoHistory(o: DemoHistoryOptions): Promise<DemoHistoryResult> {
  const t0 = Date.now();
  let lastSaid = 0;
  const hours = Math.min(8, o.days * 24);
  let ticks = 0;
  let replayMs = 0;
  let acked: string | undefined;
  // Once the newest 12 h are in, the evaluator replays the last hours (the older days keep arriving).
  const onPause = async (): Promise<void> => {
    const r0 = Date.now();
    o.say(`history: the SLO and alert evaluator replays the last ${hours} h`);
    ticks = await replayAlerts(o.cfg, o.collector, o.log, o.endMs - hours * H, o.endMs, 30 * 60);
    replayMs = Date.now() - r0;
    acked = await ackOne(o.baseUrl);
    o.say(
      `history: alerts replayed (${ticks} instants, ${(replayMs / 1000).toFixed(1)} s)${acked === undefined ? '' : `; ${acked} acknowledged by demo-oncall`}`,
    );
  };
  const progress = await fillHistory({
    specs: o.specs ?? demoFleetSpecs(),
    address: o.grpcAddress,
    endMs: o.endMs,
    days: o.days,
    ...(o.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: o.sampleIntervalMs }),
    log: o.log,
    pauseAfterMs: Math.min(12, o.days * 24) * H,
    onPause,
    onProgress: (p) => {
      if (Date.now() - lastSaid > 2000 || p.chunksDone === p.chunks || p.chunksDone === 1) {
        lastSaid = Date.now();
        o.say(progressLine(p, o.endMs, t0));
      }
    },
  });
  const fillMs = Date.now() - t0;
  await refreshCapacity(o.collector.storage, new Date(o.endMs - o.days * 86400_000), new Date(Date.now()), '1m');
  return { progress, fillMs, ticks, replayMs, acked };
}
