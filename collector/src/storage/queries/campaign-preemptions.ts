// `preemption` interruptions (docs/signals.md "Preemption"): an agent that reads a cloud preemption
// notice sends one host-level `campaign` event with campaign id `*` and interruption `preemption`
// (agent/src/sources/preemption.ts). Each campaign that was running on that host then — the notice
// between its first event and CAMPAIGN_IDLE_MS after its last one (later, it had gone idle) — gets
// the interruption as one of its rows, at the notice's time. A campaign that already has a
// preemption row at that time keeps one.
import type { TenantScope } from '../scope.js';
import { joinSql, sql } from '../sql.js';
import { CAMPAIGN_IDLE_MS, type CampaignEventRow } from './campaign-derive.js';
import type { TrainingEventRow } from './training-campaigns.js';

/** The campaign id of a host-level notice (every campaign running on the host). */
export const HOST_WIDE_CAMPAIGN = '*';

type Num = number | string | null;

/** Host-level notices of these hosts in [from, to). */
async function queryNotices(s: TenantScope, hosts: readonly string[], from: Date, to: Date): Promise<{ host: string; ms: number }[]> {
  if (hosts.length === 0) return [];
  const rows = await s.query<{ host: string; ms: Num }>(sql`
    SELECT DISTINCT host, toUInt64(ts) * 1000 + ts_ms AS ms
    FROM ${s.rows(
      'runtime_events',
      sql`ts >= ${from} AND ts < ${to} AND campaign_id = ${HOST_WIDE_CAMPAIGN} AND interruption = 'preemption' AND host IN (${joinSql(
        hosts.map((h) => sql`${h}`),
        ', ',
      )})`,
      { prewhere: sql`kind = 'campaign'` },
    )}
    ORDER BY host, ms
    LIMIT 10000`);
  return rows.map((r) => ({ host: r.host, ms: Number(r.ms) }));
}

/** Job campaigns: the notices on their hosts from their first event to CAMPAIGN_IDLE_MS after their last, for attributePreemptions. */
export async function preemptionNotices(s: TenantScope, byCampaign: ReadonlyMap<string, readonly CampaignEventRow[]>): Promise<{ host: string; ms: number }[]> {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const hosts = new Set<string>();
  for (const rows of byCampaign.values()) {
    for (const r of rows) {
      hosts.add(r.host);
      if (r.ms < min) min = r.ms;
      if (r.ms > max) max = r.ms;
    }
  }
  if (hosts.size === 0) return [];
  return queryNotices(s, [...hosts], new Date(min), new Date(max + CAMPAIGN_IDLE_MS + 1000));
}

/**
 * Training runs: each notice on a run's host joins its events as a `preemption` row (in time order);
 * segmentTrainingRuns records it when the run was going then.
 */
export async function addTrainingPreemptions(s: TenantScope, byRun: Map<string, TrainingEventRow[]>, from: Date, to: Date): Promise<void> {
  const runs = [...byRun.values()].filter((rows) => rows.length > 0);
  const found = await queryNotices(s, [...new Set(runs.map((rows) => rows[0]?.host ?? ''))], from, to);
  if (found.length === 0) return;
  for (const rows of runs) {
    const first = rows[0];
    if (first === undefined) continue;
    for (const n of found) {
      if (n.host === first.host)
        rows.push({ ms: n.ms, host: n.host, runtime: first.runtime, kind: 'preemption', epoch: null, total_epochs: null, step: null, total_steps: null });
    }
    rows.sort((a, b) => a.ms - b.ms);
  }
}

/**
 * Adds a `preemption` campaign row to each campaign running on the notice's host at its time:
 * first row ≤ notice ≤ last row + CAMPAIGN_IDLE_MS. Pure.
 */
export function attributePreemptions(byCampaign: Map<string, CampaignEventRow[]>, notices: readonly { host: string; ms: number }[]): void {
  for (const [id, rows] of byCampaign) {
    if (rows.length === 0) continue;
    const first = Math.min(...rows.map((r) => r.ms));
    const last = Math.max(...rows.map((r) => r.ms));
    for (const n of notices) {
      if (n.ms < first || n.ms > last + CAMPAIGN_IDLE_MS) continue;
      if (!rows.some((r) => r.host === n.host)) continue;
      if (rows.some((r) => r.kind === 'campaign' && r.interruption === 'preemption' && r.ms === n.ms)) continue;
      rows.push({ ...rows[0], ms: n.ms, host: n.host, kind: 'campaign', campaign_id: id, interruption: 'preemption', ...BLANK } as CampaignEventRow);
    }
    rows.sort((a, b) => a.ms - b.ms);
  }
}

const BLANK = {
  job_id: '',
  job_key: '',
  outcome: '',
  images: null,
  planned_jobs: null,
  planned_images: null,
  lost_jobs: null,
  cached_nodes: null,
  executed_nodes: null,
};
