// SLO evaluation rows: one per (tenant, SLO, evaluation slot); replicas writing the same slot
// collapse in the ReplacingMergeTree. The API reads the newest row and the series for charts.
import type { BurnWindow, SloPoint, SloSpec, SloStatus, SloStatusValue } from '@renderwatch/schema';
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import { durationS } from './duration.js';
import type { SloEvaluation } from './evaluate.js';

const dt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

export function evaluationRow(tenant: string, spec: SloSpec, e: SloEvaluation, slotMs: number): Record<string, unknown> {
  const burn = (name: string): number | null => finite(e.windows.find((w) => w.name === name)?.burnRate ?? null);
  const windows: BurnWindow[] = e.windows
    .filter((w) => w.name !== 'period')
    .map((w) => ({ window: w.name, window_s: w.seconds, good: w.good, valid: w.valid, burn_rate: finite(w.burnRate) }));
  return {
    tenant,
    slo: spec.name,
    ts: dt(slotMs),
    kind: spec.indicator.kind,
    objective: spec.objective / 100,
    window_s: durationS(spec.window),
    good: e.good,
    valid: e.valid,
    sli: finite(e.sli),
    budget_remaining: finite(e.budgetRemaining),
    period_burn_rate: finite(e.periodBurnRate),
    burn_5m: burn('5m'),
    burn_30m: burn('30m'),
    burn_1h: burn('1h'),
    burn_6h: burn('6h'),
    burn_3d: burn('3d'),
    status: e.status,
    windows_json: JSON.stringify(windows),
  };
}

interface LatestRow {
  slo: string;
  ts_s: number | string;
  good: number;
  valid: number;
  sli: number | null;
  budget_remaining: number | null;
  period_burn_rate: number | null;
  status: string;
  windows_json: string;
}

/** Status of every SLO in `specs` for the tenant, from its newest evaluation (empty values when never evaluated). */
export async function latestStatuses(storage: Storage, tenant: string, specs: readonly SloSpec[], nowMs: number): Promise<SloStatus[]> {
  const rows =
    await storage.query<LatestRow>(sql`SELECT slo, toUInt32(max(ts)) AS ts_s, argMax(good, ts) AS good, argMax(valid, ts) AS valid, argMax(sli, ts) AS sli,
      argMax(budget_remaining, ts) AS budget_remaining, argMax(period_burn_rate, ts) AS period_burn_rate, argMax(status, ts) AS status, argMax(windows_json, ts) AS windows_json
    FROM slo_evaluations WHERE tenant = ${tenant} AND ts > toDateTime(${Math.floor(nowMs / 1000) - 7 * 86400}) GROUP BY slo`);
  const byName = new Map(rows.map((r) => [r.slo, r]));
  return specs.map((s) => {
    const r = byName.get(s.name);
    const windows = r === undefined ? [] : (JSON.parse(r.windows_json) as BurnWindow[]);
    return {
      name: s.name,
      display_name: s.display_name ?? s.name,
      description: s.description ?? '',
      kind: s.indicator.kind,
      objective: s.objective / 100,
      threshold_s: s.indicator.threshold === undefined ? null : durationS(s.indicator.threshold),
      window_s: durationS(s.window),
      good: r?.good ?? 0,
      valid: r?.valid ?? 0,
      sli: r?.sli ?? null,
      error_budget_remaining: r?.budget_remaining ?? null,
      period_burn_rate: r?.period_burn_rate ?? null,
      windows,
      status: (r?.status ?? 'insufficient_data') as SloStatusValue,
      min_events: s.min_events,
      evaluated_at: r === undefined ? new Date(0).toISOString() : new Date(Number(r.ts_s) * 1000).toISOString(),
    };
  });
}

/** Budget and burn rates over time, at most ~`points` points (evaluations averaged per step). */
export async function sloSeries(storage: Storage, tenant: string, slo: string, fromMs: number, toMs: number, points = 240): Promise<SloPoint[]> {
  const stepS = Math.max(60, Math.ceil((toMs - fromMs) / 1000 / points / 60) * 60);
  const rows = await storage.query<{ t_s: number | string } & Omit<SloPoint, 't'>>(sql`SELECT intDiv(toUInt32(ts), ${stepS}) * ${stepS} AS t_s,
      argMax(sli, ts) AS sli, argMax(budget_remaining, ts) AS error_budget_remaining, argMax(burn_5m, ts) AS burn_rate_5m, argMax(burn_1h, ts) AS burn_rate_1h,
      argMax(burn_6h, ts) AS burn_rate_6h, argMax(burn_3d, ts) AS burn_rate_3d, argMax(valid, ts) AS valid
    FROM slo_evaluations
    WHERE tenant = ${tenant} AND slo = ${slo} AND ts >= toDateTime(${Math.floor(fromMs / 1000)}) AND ts <= toDateTime(${Math.floor(toMs / 1000)})
    GROUP BY t_s ORDER BY t_s`);
  return rows.map(({ t_s, ...p }) => ({ ...p, t: new Date(Number(t_s) * 1000).toISOString() }));
}
