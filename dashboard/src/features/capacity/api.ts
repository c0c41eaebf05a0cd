import { CapacityResponseSchema, type CapacityResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchCapacity(c: ApiClient, range: TimeRange, f: { model?: string; runtime?: string }): Promise<ApiResult<CapacityResponse>> {
  return c.get('/api/v1/capacity', CapacityResponseSchema, { ...rangeQuery(range), model: f.model, runtime: f.runtime });
}
