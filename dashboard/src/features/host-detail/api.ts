import { HostSeriesResponseSchema, type HostSeriesResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchHostSeries(c: ApiClient, host: string, range: TimeRange): Promise<ApiResult<HostSeriesResponse>> {
  return c.get(`/api/v1/hosts/${encodeURIComponent(host)}/series`, HostSeriesResponseSchema, rangeQuery(range));
}
