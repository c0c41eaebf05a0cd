import { OomResponseSchema, type OomResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export interface OomFilters {
  host?: string;
  model?: string;
  cause?: string;
}

export function fetchOoms(c: ApiClient, range: TimeRange, f: OomFilters): Promise<ApiResult<OomResponse>> {
  return c.get('/api/v1/ooms', OomResponseSchema, { ...rangeQuery(range), host: f.host, model: f.model, cause: f.cause, limit: 200 });
}
