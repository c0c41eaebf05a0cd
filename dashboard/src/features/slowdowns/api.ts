import { SlowdownResponseSchema, type SlowdownResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchSlowdowns(c: ApiClient, range: TimeRange, baselineDays: number): Promise<ApiResult<SlowdownResponse>> {
  return c.get('/api/v1/slowdowns', SlowdownResponseSchema, { ...rangeQuery(range), baseline_days: baselineDays });
}
