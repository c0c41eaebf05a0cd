// OOM explorer: OOM events with their numbers, the job that ended with `oom` on the same GPU in the
// same second (model, resolution, batch), grouped counts, and what to try per cause. No prompt is
// stored, so none can be returned.
import { GPU_TIERS_GB, type CountByKey, type OomAdvice, type OomQuery, type OomRow } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../ingest/time.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';

export const OOM_ADVICE: Record<string, string> = {
  resolution: 'Lower the resolution or enable tiled VAE decode/upscale; otherwise route this resolution to a larger GPU tier.',
  batch: 'Lower the batch size (or split it into sequential runs); the allocation grows with each image in the batch.',
  addons: 'Unload or reduce LoRA/ControlNet/refiner/upscaler models, or offload them to CPU between stages.',
  fragmentation: 'Set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True, or restart the runtime to release fragmented memory.',
  other_process: 'Another process holds VRAM on this GPU: stop it or pin workloads so they do not share the GPU.',
  model_too_large: 'The weights alone exceed free memory: use an fp8/quantized checkpoint, enable model offload, or use a larger tier.',
  unknown: 'No rule matched: check the numbers (requested vs free) and the runtime log around this time.',
};

const GiB = 1024 ** 3;
/** Smallest tier (GB) that holds `totalBytes` (a 24 GB card reports a little under 24 GiB). */
export function tierOf(totalBytes: number | null): number | null {
  if (totalBytes === null || totalBytes <= 0) return null;
  const gb = totalBytes / GiB;
  return GPU_TIERS_GB.find((t) => gb <= t * 1.02) ?? null;
}

type Num = number | string | null;
interface JoinedRow {
  ts_text: string; max_total: Num; host: string; gpu_index: Num; runtime: string; cause: string; cause_rule: string;
  requested_bytes: Num; total_bytes: Num; free_bytes: Num; allocated_bytes: Num; reserved_unallocated_bytes: Num;
  other_processes_bytes: Num; recovered: Num; job_id: string; model: string; width: Num; height: Num; batch: Num; c: Num;
}

/** The OOM rows with their job context, as a subquery (aggregating straight over a JOIN trips 18.16). */
function joined(s: TenantScope, q: OomQuery, from: Date, to: Date): SqlFragment {
  const oomConds: SqlFragment[] = [sql`kind = 'oom' AND ts >= ${from} AND ts < ${to}`];
  if (q.host !== undefined) oomConds.push(sql`host = ${q.host}`);
  if (q.cause !== undefined) oomConds.push(sql`cause = ${q.cause}`);
  const jobConds: SqlFragment[] = [sql`kind = 'job_end' AND outcome = 'oom' AND ts >= ${from} AND ts < ${to}`];
  if (q.host !== undefined) jobConds.push(sql`host = ${q.host}`);
  const modelFilter = q.model === undefined ? raw('') : sql` WHERE model = ${q.model}`;
  return sql`(
    SELECT ts, ts_ms, host, gpu_index, runtime, cause, cause_rule, requested_bytes, total_bytes, free_bytes, allocated_bytes,
      reserved_unallocated_bytes, other_processes_bytes, recovered, job_id, model, width, height, batch
    FROM (
      SELECT ts, ts_ms, host, ifNull(gpu_index, 65535) AS gi, gpu_index, runtime, cause, cause_rule, requested_bytes, total_bytes, free_bytes,
        allocated_bytes, reserved_unallocated_bytes, other_processes_bytes, recovered
      FROM ${s.rows('runtime_events', joinSql(oomConds, ' AND '))})
    ANY LEFT JOIN (
      SELECT ts, host, ifNull(gpu_index, 65535) AS gi, any(job_id) AS job_id, any(model) AS model, any(width) AS width, any(height) AS height, any(batch) AS batch
      FROM ${s.rows('runtime_events', joinSql(jobConds, ' AND '))} GROUP BY ts, host, gi)
    USING (ts, host, gi)${modelFilter})`;
}

const ins = (m: Map<string, number>, k: string, c: number): void => {
  m.set(k, (m.get(k) ?? 0) + c);
};
const sorted = (m: Map<string, number>): CountByKey[] => [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

export interface OomResult {
  total: number;
  by_cause: CountByKey[]; by_model: CountByKey[]; by_resolution: CountByKey[]; by_batch: CountByKey[]; by_gpu_tier: CountByKey[];
  events: OomRow[]; truncated: boolean; advice: OomAdvice[];
}

export async function queryOoms(s: TenantScope, q: OomQuery, from: Date, to: Date): Promise<OomResult> {
  const [groups, list] = await Promise.all([
    s.query<JoinedRow>(sql`
      SELECT cause, model, width, height, batch, max(total_bytes) AS max_total, count() AS c FROM ${joined(s, q, from, to)}
      GROUP BY cause, model, width, height, batch, intDiv(ifNull(total_bytes, 0), 1073741824)`),
    s.query<JoinedRow>(sql`
      SELECT toString(ts) AS ts_text, host, gpu_index, runtime, cause, cause_rule, requested_bytes, total_bytes, free_bytes, allocated_bytes,
        reserved_unallocated_bytes, other_processes_bytes, recovered, job_id, model, width, height, batch
      FROM ${joined(s, q, from, to)} ORDER BY ts DESC, ts_ms DESC, host LIMIT ${q.limit + 1}`),
  ]);
  const byCause = new Map<string, number>(), byModel = new Map<string, number>(), byRes = new Map<string, number>(), byBatch = new Map<string, number>(), byTier = new Map<string, number>();
  let total = 0;
  for (const g of groups) {
    const c = numOrNull(g.c) ?? 0;
    total += c;
    ins(byCause, g.cause || 'unknown', c);
    ins(byModel, g.model || 'unknown', c);
    const w = numOrNull(g.width), h = numOrNull(g.height);
    ins(byRes, w && h ? `${w}x${h}` : 'unknown', c);
    const b = numOrNull(g.batch);
    ins(byBatch, b ? String(b) : 'unknown', c);
    const tier = tierOf(numOrNull(g.max_total));
    ins(byTier, tier === null ? 'unknown' : String(tier), c);
  }
  const events: OomRow[] = list.slice(0, q.limit).map((r) => {
    const matched = r.job_id !== '' || r.model !== '';
    const opt = (v: Num): number | null => (matched ? (numOrNull(v) || null) : null);
    return {
      ts: chDateTimeToIso(r.ts_text), host: r.host, gpu_index: numOrNull(r.gpu_index), runtime: r.runtime,
      gpu_tier_gb: tierOf(numOrNull(r.total_bytes)), cause: r.cause || 'unknown', cause_rule: r.cause_rule,
      requested_bytes: numOrNull(r.requested_bytes), total_bytes: numOrNull(r.total_bytes), free_bytes: numOrNull(r.free_bytes),
      allocated_bytes: numOrNull(r.allocated_bytes), reserved_unallocated_bytes: numOrNull(r.reserved_unallocated_bytes),
      other_processes_bytes: numOrNull(r.other_processes_bytes), recovered: r.recovered === null ? null : Number(r.recovered) === 1,
      job_id: matched && r.job_id !== '' ? r.job_id : null, model: matched && r.model !== '' ? r.model : null,
      width: opt(r.width), height: opt(r.height), batch: opt(r.batch),
    };
  });
  const advice = sorted(byCause).map(({ key }) => ({ cause: key, what_to_try: OOM_ADVICE[key] ?? OOM_ADVICE['unknown'] ?? '' }));
  return {
    total, by_cause: sorted(byCause), by_model: sorted(byModel), by_resolution: sorted(byRes), by_batch: sorted(byBatch), by_gpu_tier: sorted(byTier),
    events, truncated: list.length > q.limit, advice,
  };
}
