import {
  AlertListResponseSchema,
  SloDetailResponseSchema,
  SloListResponseSchema,
  type AlertListResponse,
  type SloDetailResponse,
  type SloListResponse,
} from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchSlos(c: ApiClient): Promise<ApiResult<SloListResponse>> {
  return c.get('/api/v1/slos', SloListResponseSchema);
}

export function fetchSloDetail(c: ApiClient, name: string, range: TimeRange): Promise<ApiResult<SloDetailResponse>> {
  return c.get(`/api/v1/slos/${encodeURIComponent(name)}`, SloDetailResponseSchema, rangeQuery(range));
}

/** Active alerts (pending + firing), to show beside the SLOs they belong to. */
export function fetchActiveAlerts(c: ApiClient): Promise<ApiResult<AlertListResponse>> {
  return c.get('/api/v1/alerts', AlertListResponseSchema, { state: 'active' });
}
