// Alert rows in ClickHouse: the newest version per (tenant, fingerprint) is the alert's state.
import type { Alert, AlertSource, AlertState, AlertTransition } from '@renderwatch/schema';
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import type { StoredAlert } from './alert-types.js';

interface AlertRow {
  tenant: string;
  fingerprint: string;
  alertname: string;
  severity: string;
  source: string;
  rule: string;
  state: string;
  labels_keys: string[];
  labels_values: string[];
  annotations_keys: string[];
  annotations_values: string[];
  value: number | null;
  active_s: number | string;
  fired_s: number | string | null;
  resolved_s: number | string | null;
  acked_by: string;
  acked_s: number | string | null;
  last_sent_s: number | string | null;
  updated_s: number | string;
  version: string | number;
}

/** Link back to the dashboard: the SLO page for SLO alerts, the alert list otherwise. */
export function generatorUrl(base: string, source: AlertSource, rule: string, fingerprint: string): string {
  return source === 'slo' ? `${base}/slos/${encodeURIComponent(rule)}` : `${base}/alerts?fingerprint=${fingerprint}`;
}

const zip = (k: string[], v: string[]): Record<string, string> => Object.fromEntries(k.map((x, i) => [x, v[i] ?? '']));
/** DateTime text for JSONEachRow inserts (`YYYY-MM-DD hh:mm:ss`, UTC). */
export const dt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const sec = (ms: number | null): string | null => (ms === null ? null : dt(ms));
const ms = (s: number | string | null): number | null => (s === null ? null : Number(s) * 1000);

function fromRow(r: AlertRow, generatorBase: string): StoredAlert {
  return {
    tenant: r.tenant,
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    severity: r.severity,
    source: r.source as AlertSource,
    rule: r.rule,
    state: r.state as AlertState,
    labels: zip(r.labels_keys, r.labels_values),
    annotations: zip(r.annotations_keys, r.annotations_values),
    value: r.value,
    activeAtMs: Number(r.active_s) * 1000,
    firedAtMs: ms(r.fired_s),
    resolvedAtMs: ms(r.resolved_s),
    ackedBy: r.acked_by,
    ackedAtMs: ms(r.acked_s),
    lastSentAtMs: ms(r.last_sent_s),
    updatedAtMs: Number(r.updated_s) * 1000,
    generatorUrl: generatorUrl(generatorBase, r.source as AlertSource, r.rule, r.fingerprint),
  };
}

export function toRow(a: StoredAlert, versionMs: number): Record<string, unknown> {
  return {
    tenant: a.tenant,
    fingerprint: a.fingerprint,
    alertname: a.alertname,
    severity: a.severity,
    source: a.source,
    rule: a.rule,
    state: a.state,
    labels_keys: Object.keys(a.labels),
    labels_values: Object.values(a.labels),
    annotations_keys: Object.keys(a.annotations),
    annotations_values: Object.values(a.annotations),
    value: a.value === null || !Number.isFinite(a.value) ? null : a.value,
    active_at: dt(a.activeAtMs),
    fired_at: sec(a.firedAtMs),
    resolved_at: sec(a.resolvedAtMs),
    acked_by: a.ackedBy,
    acked_at: sec(a.ackedAtMs),
    last_sent_at: sec(a.lastSentAtMs),
    updated_at: dt(a.updatedAtMs),
    version: versionMs,
  };
}

// aliases differ from column names: on ClickHouse 18.16 an alias would shadow the column in WHERE
const COLUMNS = sql`tenant, fingerprint, alertname, severity, source, rule, state, labels_keys, labels_values, annotations_keys, annotations_values, value,
  toUInt32(active_at) AS active_s, toUInt32(fired_at) AS fired_s, toUInt32(resolved_at) AS resolved_s,
  acked_by, toUInt32(acked_at) AS acked_s, toUInt32(last_sent_at) AS last_sent_s, toUInt32(updated_at) AS updated_s, version`;

export interface AlertStore {
  /** every alert of the tenant that is pending or firing, or changed since `sinceMs` */
  load(tenant: string, sinceMs: number): Promise<StoredAlert[]>;
  get(tenant: string, fingerprint: string): Promise<StoredAlert | undefined>;
  save(alerts: readonly StoredAlert[], versionMs: number): Promise<void>;
  recordTransitions(rows: readonly { alert: StoredAlert; from: string; to: string; atMs: number }[]): Promise<void>;
  history(tenant: string, fingerprint: string): Promise<AlertTransition[]>;
}

export function createAlertStore(storage: Storage, generatorBase: string): AlertStore {
  const select = async (where: ReturnType<typeof sql>): Promise<StoredAlert[]> => {
    const rows = await storage.query<AlertRow>(sql`SELECT ${COLUMNS} FROM alerts FINAL WHERE ${where} ORDER BY updated_s DESC, fingerprint`);
    return rows.map((r) => fromRow(r, generatorBase));
  };
  return {
    load: (tenant, sinceMs) => select(sql`tenant = ${tenant} AND (state != 'resolved' OR updated_at >= toDateTime(${Math.floor(sinceMs / 1000)}))`),
    async get(tenant, fingerprint) {
      return (await select(sql`tenant = ${tenant} AND fingerprint = ${fingerprint}`))[0];
    },
    save: (alerts, versionMs) =>
      storage.insert(
        'alerts',
        alerts.map((a) => toRow(a, versionMs)),
      ),
    recordTransitions: (rows) =>
      storage.insert(
        'alert_transitions',
        rows.map((r) => ({
          tenant: r.alert.tenant,
          fingerprint: r.alert.fingerprint,
          alertname: r.alert.alertname,
          ts: dt(r.atMs),
          from_state: r.from,
          to_state: r.to,
          value: r.alert.value,
        })),
      ),
    async history(tenant, fingerprint) {
      const rows = await storage.query<{
        fingerprint: string;
        alertname: string;
        ts_s: string | number;
        from_state: string;
        to_state: string;
        value: number | null;
      }>(
        sql`SELECT fingerprint, alertname, toUInt32(ts) AS ts_s, from_state, to_state, value FROM alert_transitions FINAL WHERE tenant = ${tenant} AND fingerprint = ${fingerprint} ORDER BY ts_s, to_state`,
      );
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        alertname: r.alertname,
        t: new Date(Number(r.ts_s) * 1000).toISOString(),
        from_state: r.from_state,
        to_state: r.to_state,
        value: r.value,
      }));
    },
  };
}

const iso = (v: number | null): string | null => (v === null ? null : new Date(v).toISOString());

/** API view of a stored alert. */
export function toAlertDto(a: StoredAlert): Alert {
  return {
    fingerprint: a.fingerprint,
    alertname: a.alertname,
    severity: a.severity,
    source: a.source,
    rule: a.rule,
    state: a.state,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    active_at: new Date(a.activeAtMs).toISOString(),
    fired_at: iso(a.firedAtMs),
    resolved_at: iso(a.resolvedAtMs),
    updated_at: new Date(a.updatedAtMs).toISOString(),
    acknowledged_by: a.ackedBy === '' ? null : a.ackedBy,
    acknowledged_at: iso(a.ackedAtMs),
    generator_url: a.generatorUrl,
  };
}
