import {
  AlertListResponseSchema,
  FleetResponseSchema,
  FleetSummaryResponseSchema,
  SloListResponseSchema,
  UtilizationResponseSchema,
  type AlertListResponse,
  type FleetResponse,
  type FleetSummaryResponse,
  type SloListResponse,
  type UtilizationResponse,
} from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, resolveTimeRange, type TimeRange } from '../../lib/time-range.js';

export function fetchFleet(c: ApiClient): Promise<ApiResult<FleetResponse>> {
  return c.get('/api/v1/fleet', FleetResponseSchema);
}

/** The fleet series and the first `hostsLimit` hosts' utilization rows (the heatmap draws at most that many). */
export function fetchUtilization(c: ApiClient, range: TimeRange, now = Date.now(), hostsLimit = 60): Promise<ApiResult<UtilizationResponse>> {
  const { from, to } = resolveTimeRange(range, now);
  return c.get('/api/v1/fleet/utilization', UtilizationResponseSchema, { from: from.toISOString(), to: to.toISOString(), hosts_limit: String(hostsLimit) });
}

export function fetchFleetSummary(c: ApiClient, range: TimeRange, now = Date.now()): Promise<ApiResult<FleetSummaryResponse>> {
  return c.get('/api/v1/fleet/summary', FleetSummaryResponseSchema, rangeQuery(range, now));
}

export function fetchSloList(c: ApiClient): Promise<ApiResult<SloListResponse>> {
  return c.get('/api/v1/slos', SloListResponseSchema);
}

export function fetchFiringAlerts(c: ApiClient): Promise<ApiResult<AlertListResponse>> {
  return c.get('/api/v1/alerts', AlertListResponseSchema, { state: 'firing' });
}
