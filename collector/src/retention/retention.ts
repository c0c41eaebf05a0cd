// Retention: drops whole daily partitions older than each table family's configured days, and
// trims the ingest dedup ledger (not partitioned) with a delete mutation. `dryRun` lists only.
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config.js';
import type { Job } from '../jobs.js';
import type { Storage } from '../storage/clickhouse.js';
import { ident, raw, sql, type SqlFragment } from '../storage/sql.js';

export type RetentionFamily = 'raw' | 'rollup_1m' | 'rollup_1h' | 'events';

export const RETENTION_TABLES: Record<RetentionFamily, readonly string[]> = {
  raw: ['gpu_samples', 'host_samples'],
  rollup_1m: ['gpu_1m', 'gpu_host_1m', 'host_1m', 'jobs_1m', 'jobs_host_1m', 'jobs_model_1m', 'jobs_per_image_1m', 'jobs_model_per_image_1m'],
  rollup_1h: [
    'gpu_1h',
    'gpu_host_1h',
    'host_1h',
    'jobs_1h',
    'jobs_host_1h',
    'jobs_model_1h',
    'jobs_per_image_1h',
    'jobs_model_per_image_1h',
    'oom_jobs_1h',
    'gpu_energy_1h',
    'gpu_cost_1h',
    'gpu_cost_1d',
    'gpu_cost_history_1h',
    'gpu_cost_history_1d',
    'capacity_1h',
    'capacity_gpu_1h',
  ],
  events: ['runtime_events', 'gpu_status', 'oom_context', 'model_hashes_1d', 'campaign_job_spans'],
};

export interface RetentionDays {
  raw: number;
  rollup_1m: number;
  rollup_1h: number;
  events: number;
  ledger: number;
}

export function retentionDays(cfg: CollectorConfig): RetentionDays {
  return {
    raw: cfg.COLLECTOR_RETENTION_RAW_DAYS,
    rollup_1m: cfg.COLLECTOR_RETENTION_ROLLUP_1M_DAYS,
    rollup_1h: cfg.COLLECTOR_RETENTION_ROLLUP_1H_DAYS,
    events: cfg.COLLECTOR_RETENTION_EVENTS_DAYS,
    ledger: cfg.COLLECTOR_RETENTION_LEDGER_DAYS,
  };
}

export interface PartitionDrop {
  family: RetentionFamily;
  table: string;
  /** The partition id, `YYYYMMDD`. */
  partition: string;
  rows: number;
}

export interface RetentionPlan {
  /** Partitions of days before this (YYYYMMDD, per family) are dropped. */
  cutoffs: Record<RetentionFamily, string>;
  drops: PartitionDrop[];
  ledgerCutoff: string;
  ledgerRows: number;
}

/** `YYYYMMDD` of the UTC day `days` before `nowMs`: partitions strictly older are dropped. Pure. */
export function cutoffDay(nowMs: number, days: number): string {
  return new Date(nowMs - days * 86400_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * In cluster mode (COLLECTOR_CLICKHOUSE_CLUSTER) the parts belong to the `<table>_local` tables
 * and every drop runs `ON CLUSTER`, so a day is dropped on every shard and replica at once.
 * Partitions are listed from the node this collector talks to: all shards receive every day's data,
 * so their daily partitions are the same.
 */
export interface RetentionTarget {
  cluster?: string;
}

export function retentionTarget(cfg: Pick<CollectorConfig, 'COLLECTOR_CLICKHOUSE_CLUSTER'>): RetentionTarget {
  return cfg.COLLECTOR_CLICKHOUSE_CLUSTER === '' ? {} : { cluster: cfg.COLLECTOR_CLICKHOUSE_CLUSTER };
}

const localName = (table: string, t: RetentionTarget): string => (t.cluster === undefined ? table : `${table}_local`);
const onCluster = (t: RetentionTarget): SqlFragment => (t.cluster === undefined ? raw('') : sql` ON CLUSTER ${ident(t.cluster)}`);

export async function planRetention(storage: Storage, days: RetentionDays, nowMs: number, target: RetentionTarget = {}): Promise<RetentionPlan> {
  const families = Object.keys(RETENTION_TABLES) as RetentionFamily[];
  const cutoffs = Object.fromEntries(families.map((f) => [f, cutoffDay(nowMs, days[f])])) as Record<RetentionFamily, string>;
  const tables = families.flatMap((f) => RETENTION_TABLES[f].map((t) => localName(t, target)));
  const parts = await storage.query<{ table: string; partition: string; rows: string | number }>(sql`
    SELECT table, partition, sum(rows) AS rows FROM system.parts
    WHERE database = ${storage.database} AND active AND has(${tables}, table)
    GROUP BY table, partition ORDER BY table, partition`);
  const drops: PartitionDrop[] = [];
  for (const p of parts) {
    const logical = target.cluster === undefined ? p.table : p.table.replace(/_local$/, '');
    const family = families.find((f) => RETENTION_TABLES[f].includes(logical));
    if (family === undefined || !/^\d{8}$/.test(p.partition)) continue;
    if (p.partition < cutoffs[family]) drops.push({ family, table: logical, partition: p.partition, rows: Number(p.rows) });
  }
  const ledgerCut = new Date(nowMs - days.ledger * 86400_000);
  const ledger = await storage.query<{ c: string | number }>(sql`SELECT count() AS c FROM ingest_batches WHERE received_at < ${ledgerCut}`);
  return { cutoffs, drops, ledgerCutoff: ledgerCut.toISOString(), ledgerRows: Number(ledger[0]?.c ?? 0) };
}

export async function applyRetention(storage: Storage, plan: RetentionPlan, log: Logger, target: RetentionTarget = {}): Promise<void> {
  for (const d of plan.drops) {
    await storage.command(sql`ALTER TABLE ${ident(localName(d.table, target))}${onCluster(target)} DROP PARTITION ${Number(d.partition)}`);
    log.info({ table: d.table, partition: d.partition, rows: d.rows }, 'retention dropped partition');
  }
  if (plan.ledgerRows > 0) {
    await storage.command(
      sql`ALTER TABLE ${ident(localName('ingest_batches', target))}${onCluster(target)} DELETE WHERE received_at < ${new Date(plan.ledgerCutoff)}`,
    );
    log.info({ rows: plan.ledgerRows }, 'retention trimmed the ingest ledger');
  }
}

/** Human-readable plan, one line per partition, for `retention --dry-run`. Pure. */
export function formatPlan(plan: RetentionPlan, dryRun: boolean): string {
  const verb = dryRun ? 'would drop' : 'dropped';
  const lines = plan.drops.map((d) => `${verb} ${d.table} partition ${d.partition} (${d.rows} rows, ${d.family} older than ${plan.cutoffs[d.family]})`);
  lines.push(`${dryRun ? 'would delete' : 'deleted'} ${plan.ledgerRows} ingest_batches rows received before ${plan.ledgerCutoff}`);
  lines.push(`${plan.drops.length} partitions ${dryRun ? 'to drop' : 'dropped'}`);
  return `${lines.join('\n')}\n`;
}

/** Runs retention every `intervalS`; returns a stop function. Failures are logged and retried next time. */
/** Retention as a background job (../jobs.ts): plans and applies every `intervalS`, the first run 5 s after start. */
export function retentionJob(storage: Storage, days: RetentionDays, intervalS: number, now: () => number, log: Logger, target: RetentionTarget = {}): Job {
  const l = log.child({ module: 'retention' });
  return {
    name: 'retention',
    intervalMs: intervalS * 1000,
    firstDelayMs: 5000,
    run: async () => applyRetention(storage, await planRetention(storage, days, now(), target), l, target),
  };
}
