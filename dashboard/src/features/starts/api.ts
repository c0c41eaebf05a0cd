import {
  FirstImagesResponseSchema,
  SloListResponseSchema,
  StartsResponseSchema,
  type FirstImagesResponse,
  type SloListResponse,
  type StartsResponse,
} from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchStarts(c: ApiClient, range: TimeRange, f: { runtime?: string; host?: string }): Promise<ApiResult<StartsResponse>> {
  return c.get('/api/v1/starts', StartsResponseSchema, { ...rangeQuery(range), runtime: f.runtime, host: f.host });
}

/** The start SLOs' thresholds are the page's targets (warm-start-ready, cold-start-ready). */
export function fetchSloTargets(c: ApiClient): Promise<ApiResult<SloListResponse>> {
  return c.get('/api/v1/slos', SloListResponseSchema, {});
}

export function fetchFirstImages(c: ApiClient, range: TimeRange, f: { runtime?: string; host?: string }): Promise<ApiResult<FirstImagesResponse>> {
  return c.get('/api/v1/starts/first-images', FirstImagesResponseSchema, { ...rangeQuery(range), runtime: f.runtime, host: f.host });
}
