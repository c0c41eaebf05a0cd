// Pure alert lifecycle: pending → firing → resolved, with `for` durations. One call per alert per
// evaluation; the result says what to persist and whether to notify.
import type { AlertState } from '@renderwatch/schema';
import type { AlertCandidate, StoredAlert } from './alert-types.js';

export interface Advance {
  /** the alert to persist (undefined: nothing changed and nothing to write) */
  next: StoredAlert | undefined;
  transition: { from: AlertState | 'inactive'; to: AlertState } | undefined;
  /** a state change receivers must hear about */
  notify: 'firing' | 'resolved' | undefined;
}

const NOTHING: Advance = { next: undefined, transition: undefined, notify: undefined };

function fresh(tenant: string, fingerprint: string, c: AlertCandidate, nowMs: number): StoredAlert {
  return {
    tenant,
    fingerprint,
    alertname: c.alertname,
    severity: c.severity,
    source: c.source,
    rule: c.rule,
    state: 'pending',
    labels: c.labels,
    annotations: c.annotations,
    value: c.value,
    activeAtMs: nowMs,
    firedAtMs: null,
    resolvedAtMs: null,
    ackedBy: '',
    ackedAtMs: null,
    lastSentAtMs: null,
    updatedAtMs: nowMs,
    generatorUrl: c.generatorUrl,
  };
}

/**
 * Advances one alert. `prev` is the stored alert (any state) or undefined; `cond` is the candidate
 * when its condition holds now, undefined when it does not.
 */
export function advanceAlert(tenant: string, fingerprint: string, prev: StoredAlert | undefined, cond: AlertCandidate | undefined, nowMs: number): Advance {
  const live = prev !== undefined && prev.state !== 'resolved' ? prev : undefined;
  if (cond === undefined) {
    if (live === undefined) return NOTHING;
    const next: StoredAlert = { ...live, state: 'resolved', resolvedAtMs: nowMs, updatedAtMs: nowMs };
    return { next, transition: { from: live.state, to: 'resolved' }, notify: live.state === 'firing' ? 'resolved' : undefined };
  }
  if (live === undefined) {
    const p = fresh(tenant, fingerprint, cond, nowMs);
    if (cond.forS > 0) return { next: p, transition: { from: 'inactive', to: 'pending' }, notify: undefined };
    return { next: { ...p, state: 'firing', firedAtMs: nowMs }, transition: { from: 'inactive', to: 'firing' }, notify: 'firing' };
  }
  const updated: StoredAlert = {
    ...live,
    value: cond.value,
    annotations: cond.annotations,
    severity: cond.severity,
    generatorUrl: cond.generatorUrl,
    updatedAtMs: nowMs,
  };
  if (live.state === 'pending' && nowMs - live.activeAtMs >= cond.forS * 1000) {
    return { next: { ...updated, state: 'firing', firedAtMs: nowMs }, transition: { from: 'pending', to: 'firing' }, notify: 'firing' };
  }
  return { next: updated, transition: undefined, notify: undefined };
}
