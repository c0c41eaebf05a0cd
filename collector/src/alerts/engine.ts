// The SLO + alert evaluator: on each tick (one replica per interval, by lease) it evaluates every
// SLO and rule per tenant, writes SLO results, advances alert states, notifies and persists.
import type { SloFile, SloSpec } from '@renderwatch/schema';
import type { Logger } from 'pino';
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import { durationS } from '../slo/duration.js';
import { evaluateSlo, type SloEvaluation } from '../slo/evaluate.js';
import { queryWindowCounts } from '../slo/sli-query.js';
import type { SloSource } from '../slo/slo-source.js';
import { evaluationRow } from '../slo/slo-store.js';
import { requiredWindows } from '../slo/windows.js';
import { createAlertStore, dt } from './alert-store.js';
import type { AlertCandidate, NotificationAlert, StoredAlert } from './alert-types.js';
import { ruleCandidate, sloCandidates } from './candidates.js';
import { alertFingerprint } from './fingerprint.js';
import { deliver, type DeliveryOptions, type Notifier } from './notifiers/index.js';
import { evaluateRule } from './rules.js';
import { advanceAlert } from './state-machine.js';

export interface AlertEngineOptions {
  storage: Storage;
  log: Logger;
  now: () => number;
  slos: SloSource;
  notifiers: readonly Notifier[];
  /** dashboard base URL for generatorURL */
  publicUrl: string;
  intervalS: number;
  /** Alertmanager re-send interval for active alerts, seconds */
  resendS: number;
  replicaId: string;
  leaseSettleMs: number;
  delivery: DeliveryOptions;
  onDelivery?: (channel: string, outcome: 'delivered' | 'dead_letter', alerts: number) => void;
}

export interface TickResult {
  skipped: boolean;
  tenants: number;
  slos: number;
  firing: number;
  notified: number;
  deadLetters: number;
}

export interface AlertEngine {
  tick(): Promise<TickResult>;
  /** last evaluation of each (tenant, SLO), for tests and the API */
  lastEvaluations(): ReadonlyMap<string, SloEvaluation>;
}

/** Whole seconds: what ClickHouse keeps, so a re-send after a restart carries the same startsAt. */
const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

function toNotification(a: StoredAlert, status: 'firing' | 'resolved', nowMs: number, resendS: number): NotificationAlert {
  // a firing alert stays alive in Alertmanager for 4 re-send intervals, like Prometheus does
  const endsMs = status === 'resolved' ? (a.resolvedAtMs ?? nowMs) : nowMs + 4 * resendS * 1000;
  return {
    status,
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.firedAtMs ?? a.activeAtMs),
    endsAt: iso(endsMs),
    generatorURL: a.generatorUrl,
  };
}

export function createAlertEngine(o: AlertEngineOptions): AlertEngine {
  const log = o.log.child({ module: 'alerts.engine' });
  const store = createAlertStore(o.storage, o.publicUrl);
  const evaluations = new Map<string, SloEvaluation>();

  async function claimLease(slot: number, nowMs: number): Promise<boolean> {
    await o.storage.insert('evaluator_leases', [{ slot, replica: o.replicaId, claimed_ms: nowMs }]);
    if (o.leaseSettleMs > 0) await new Promise((r) => setTimeout(r, o.leaseSettleMs));
    const rows = await o.storage.query<{ replica: string }>(
      sql`SELECT replica FROM evaluator_leases WHERE slot = ${slot} ORDER BY claimed_ms, replica LIMIT 1`,
    );
    return rows[0]?.replica === o.replicaId;
  }

  async function evaluateTenant(tenant: string, file: SloFile, nowMs: number, slotMs: number, result: TickResult): Promise<void> {
    const candidates = new Map<string, AlertCandidate>();
    const failed = new Set<string>();
    const rows: Record<string, unknown>[] = [];
    const applies = (s: SloSpec): boolean => s.tenants === undefined || s.tenants.includes(tenant);
    for (const spec of file.slos.filter(applies)) {
      try {
        const periodS = durationS(spec.window);
        const counts = await queryWindowCounts(o.storage, tenant, spec, requiredWindows(periodS), nowMs);
        const e = evaluateSlo({ objective: spec.objective / 100, periodS, minEvents: spec.min_events }, (name) => counts.get(name) ?? { good: 0, valid: 0 });
        evaluations.set(`${tenant}/${spec.name}`, e);
        rows.push(evaluationRow(tenant, spec, e, slotMs));
        for (const c of sloCandidates(tenant, spec, e, o.publicUrl)) candidates.set(alertFingerprint(tenant, c.labels), c);
        result.slos++;
      } catch (err: unknown) {
        failed.add(spec.name);
        log.warn({ err, tenant, slo: spec.name }, 'slo evaluation failed');
      }
    }
    for (const rule of file.alerts) {
      try {
        for (const inst of await evaluateRule(o.storage, tenant, rule, nowMs)) {
          const c = ruleCandidate(tenant, rule, inst, o.publicUrl, (l) => alertFingerprint(tenant, l));
          candidates.set(alertFingerprint(tenant, c.labels), c);
        }
      } catch (err: unknown) {
        failed.add(rule.name);
        log.warn({ err, tenant, rule: rule.name }, 'alert rule evaluation failed');
      }
    }
    await o.storage.insert('slo_evaluations', rows);
    const stored = new Map((await store.load(tenant, nowMs - 86_400_000)).map((a) => [a.fingerprint, a]));
    const changed: StoredAlert[] = [];
    const transitions: { alert: StoredAlert; from: string; to: string; atMs: number }[] = [];
    const changes: { alert: StoredAlert; status: 'firing' | 'resolved' }[] = [];
    for (const fp of new Set([...candidates.keys(), ...stored.keys()])) {
      const prev = stored.get(fp);
      const cand = candidates.get(fp);
      // a rule that could not be evaluated leaves its alerts as they are
      if (cand === undefined && prev !== undefined && failed.has(prev.rule)) continue;
      const step = advanceAlert(tenant, fp, prev, cand, nowMs);
      if (step.next === undefined) continue;
      changed.push(step.next);
      if (step.transition !== undefined) transitions.push({ alert: step.next, from: step.transition.from, to: step.transition.to, atMs: nowMs });
      if (step.notify !== undefined) changes.push({ alert: step.next, status: step.notify });
    }
    const firing = changed.filter((a) => a.state === 'firing');
    result.firing += firing.length;
    const changedFps = new Set(changes.map((c) => c.alert.fingerprint));
    const resend = firing.filter((a) => !changedFps.has(a.fingerprint) && (a.lastSentAtMs === null || nowMs - a.lastSentAtMs >= o.resendS * 1000));
    const sent = new Set<string>();
    for (const n of o.notifiers) {
      const batch = [
        ...changes.map((c) => toNotification(c.alert, c.status, nowMs, o.resendS)),
        ...(n.resends ? resend.map((a) => toNotification(a, 'firing', nowMs, o.resendS)) : []),
      ];
      if (batch.length === 0) continue;
      const out = await deliver(n, batch, o.delivery);
      o.onDelivery?.(n.channel, out.delivered ? 'delivered' : 'dead_letter', batch.length);
      if (out.delivered) {
        result.notified += batch.length;
        for (const b of batch) sent.add(b.fingerprint);
      } else {
        result.deadLetters += batch.length;
        log.error({ channel: n.channel, alerts: batch.length, attempts: out.attempts, err: out.error }, 'alert notification dead-lettered');
      }
    }
    const toSave = changed.map((a) => (sent.has(a.fingerprint) ? { ...a, lastSentAtMs: nowMs } : a));
    await store.save(toSave, nowMs);
    await store.recordTransitions(transitions);
  }

  async function tick(): Promise<TickResult> {
    const nowMs = o.now();
    const intervalMs = o.intervalS * 1000;
    const slotMs = Math.floor(nowMs / intervalMs) * intervalMs;
    const result: TickResult = { skipped: false, tenants: 0, slos: 0, firing: 0, notified: 0, deadLetters: 0 };
    if (!(await claimLease(slotMs / intervalMs, nowMs))) return { ...result, skipped: true };
    const file = await o.slos.current();
    const tenants = await o.storage.query<{ tenant: string }>(sql`SELECT DISTINCT tenant FROM hosts ORDER BY tenant`);
    for (const { tenant } of tenants) {
      await evaluateTenant(tenant, file, nowMs, slotMs, result);
      result.tenants++;
    }
    log.debug({ ...result, at: dt(nowMs) }, 'evaluation done');
    return result;
  }

  return {
    tick,
    lastEvaluations: () => evaluations,
  };
}
