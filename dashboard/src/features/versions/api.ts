import { JobStatsResponseSchema, VersionsResponseSchema, type JobStatsResponse, type VersionsResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchVersions(c: ApiClient, range: TimeRange, host?: string): Promise<ApiResult<VersionsResponse>> {
  return c.get('/api/v1/versions', VersionsResponseSchema, { ...rangeQuery(range), host });
}

/** Job outcomes and durations of one host before and after a change (`spanMs` each side, the after side cut at now). */
const iso = (ms: number): string => new Date(ms).toISOString();

export async function fetchAroundChange(
  c: ApiClient,
  host: string,
  atMs: number,
  spanMs: number,
  now = Date.now(),
): Promise<ApiResult<{ before: JobStatsResponse; after: JobStatsResponse }>> {
  const [before, after] = await Promise.all([
    c.get('/api/v1/jobs/stats', JobStatsResponseSchema, { host, from: iso(atMs - spanMs), to: iso(atMs) }),
    c.get('/api/v1/jobs/stats', JobStatsResponseSchema, { host, from: iso(atMs), to: iso(Math.max(atMs + 60_000, Math.min(now, atMs + spanMs))) }),
  ]);
  if (!before.ok) return before;
  if (!after.ok) return after;
  return { ok: true, data: { before: before.data, after: after.data } };
}
