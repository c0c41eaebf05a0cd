import {
  FleetResponseSchema,
  fromSeriesColumns,
  HostSeriesResponseSchema,
  type FleetResponse,
  type GpuSeries,
  type HostSeriesPoint,
  type HostSeriesResponse,
} from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

/** The host series as the page draws it: one object per point (the API sends one array per field). */
export type HostSeriesView = Omit<HostSeriesResponse, 'times' | 'gpus' | 'host_series'> & { gpus: GpuSeries[]; host_points: HostSeriesPoint[] };

export async function fetchHostSeries(c: ApiClient, host: string, range: TimeRange): Promise<ApiResult<HostSeriesView>> {
  const r = await c.get(`/api/v1/hosts/${encodeURIComponent(host)}/series`, HostSeriesResponseSchema, rangeQuery(range));
  if (!r.ok) return r;
  const { times: _times, gpus: _gpus, host_series: _hostSeries, ...rest } = r.data;
  return { ok: true, data: { ...rest, ...fromSeriesColumns(r.data) } };
}

/** The fleet's host list, asked only when a host has no samples (is it unknown, or only quiet?). */
export function fetchFleetHosts(c: ApiClient): Promise<ApiResult<FleetResponse>> {
  return c.get('/api/v1/fleet', FleetResponseSchema);
}
