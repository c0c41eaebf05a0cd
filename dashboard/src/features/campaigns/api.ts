import { CAMPAIGN_PATHS, CampaignDetailSchema, CampaignsResponseSchema, type CampaignDetail, type CampaignsResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchCampaigns(c: ApiClient, range: TimeRange, f: { host?: string; status?: string }): Promise<ApiResult<CampaignsResponse>> {
  return c.get(CAMPAIGN_PATHS.list, CampaignsResponseSchema, { ...rangeQuery(range), host: f.host, status: f.status });
}

export function fetchCampaign(c: ApiClient, id: string, range: TimeRange): Promise<ApiResult<CampaignDetail>> {
  return c.get(CAMPAIGN_PATHS.detail(id), CampaignDetailSchema, rangeQuery(range));
}
