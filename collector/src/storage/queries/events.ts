// Runtime event list (newest first) with the event's stored fields, absent ones omitted.
import type { EventListQuery, EventRow, RuntimeEventKind } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../domain/time.js';
import type { TenantScope } from '../scope.js';
import { ident, joinSql, sql, type SqlFragment } from '../sql.js';

const STRING_FIELDS = [
  'job_id',
  'model',
  'model_hash',
  'outcome',
  'source',
  'mode',
  'cause',
  'cause_rule',
  'error_type',
  'message',
  'message_fingerprint',
  'version',
  'url',
  'path',
  'device',
] as const;
const NUMBER_FIELDS = [
  'duration_s',
  'startup_s',
  'images',
  'width',
  'height',
  'steps',
  'batch',
  'loaded_mb',
  'offloaded_mb',
  'freed_mb',
  'cached_nodes',
  'executed_nodes',
  'pending',
  'running',
  'oldest_wait_s',
  'step',
  'total_steps',
  'epoch',
  'total_epochs',
  'loss',
  'it_per_s',
  'requested_bytes',
  'total_bytes',
  'free_bytes',
  'allocated_bytes',
  'reserved_unallocated_bytes',
  'other_processes_bytes',
  'bytes',
] as const;
const BOOL_FIELDS = ['cold', 'recovered'] as const;

type Row = Record<string, unknown> & { ts: string; host: string; kind: string; runtime: string; gpu_index: number | null };

/** Turns a wide runtime_events row into `fields`, leaving out NULLs and empty strings. Pure. */
export function eventFields(row: Record<string, unknown>): EventRow['fields'] {
  const f: EventRow['fields'] = {};
  for (const k of STRING_FIELDS) {
    const v = row[k];
    if (typeof v === 'string' && v !== '') f[k] = v;
  }
  for (const k of NUMBER_FIELDS) {
    const v = row[k];
    if (v !== null && v !== undefined && Number.isFinite(Number(v))) f[k] = Number(v);
  }
  for (const k of BOOL_FIELDS) {
    const v = row[k];
    if (v !== null && v !== undefined) f[k] = Number(v) === 1;
  }
  const ext = row['extensions'];
  if (Array.isArray(ext) && ext.length > 0) f['extensions'] = ext.map(String);
  return f;
}

/** Lower bounds tried newest first: most lists fill from the last hour's partition alone. */
const WINDOWS_S = [3600, 86_400, 7 * 86_400];

/**
 * Newest first. Two passes: the newest `limit` timestamps (one column), then the wide rows at or
 * after the oldest of them; tried over the last hour, day and week of the range before the whole
 * range, so a busy fleet's list reads one or two daily partitions instead of every day of the range.
 */
export async function queryEvents(s: TenantScope, q: EventListQuery, from: Date, to: Date): Promise<{ events: EventRow[]; truncated: boolean }> {
  const starts = [...WINDOWS_S.map((w) => new Date(to.getTime() - w * 1000)).filter((d) => d > from), from];
  let rows: Row[] = [];
  for (const start of starts) {
    rows = await newestRows(s, q, start, to);
    if (rows.length > q.limit) break;
  }
  return {
    events: rows.slice(0, q.limit).map((r) => ({
      ts: chDateTimeToIso(r.ts),
      host: r.host,
      kind: r.kind as RuntimeEventKind,
      runtime: r.runtime,
      gpu_index: r.gpu_index === null ? null : Number(r.gpu_index),
      fields: eventFields(r),
    })),
    truncated: rows.length > q.limit,
  };
}

function newestRows(s: TenantScope, q: EventListQuery, from: Date, to: Date): Promise<Row[]> {
  const conds: SqlFragment[] = [sql`ts >= ${from} AND ts < ${to}`];
  if (q.kind !== undefined) conds.push(sql`kind = ${q.kind}`);
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  if (q.runtime !== undefined) conds.push(sql`runtime = ${q.runtime}`);
  if (q.model !== undefined) conds.push(sql`model = ${q.model}`);
  return s.query<Row>(sql`
    SELECT toString(ts) AS ts, host, kind, runtime, gpu_index, extensions, cold, recovered,
      ${joinSql(
        [...STRING_FIELDS, ...NUMBER_FIELDS].map((c) => ident(c)),
        ', ',
      )}
    FROM ${s.rows('runtime_events', sql`${joinSql(conds, ' AND ')} AND ts >= (SELECT ifNull(min(ts), toDateTime(0)) FROM (SELECT ts FROM ${s.rows('runtime_events', joinSql(conds, ' AND '))} ORDER BY ts DESC LIMIT ${q.limit + 1}))`)}
    ORDER BY ts DESC, ts_ms DESC, host, kind, gpu_index LIMIT ${q.limit + 1}`);
}
