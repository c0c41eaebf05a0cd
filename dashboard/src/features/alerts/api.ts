import { AlertAckResponseSchema, AlertListResponseSchema, type AlertAckResponse, type AlertListResponse } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';

export const STATE_FILTERS = ['active', 'firing', 'pending', 'resolved', 'all'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export function fetchAlerts(c: ApiClient, state: StateFilter): Promise<ApiResult<AlertListResponse>> {
  return c.get('/api/v1/alerts', AlertListResponseSchema, { state: state === 'all' ? undefined : state, limit: 500 });
}

export function ackAlert(c: ApiClient, fingerprint: string): Promise<ApiResult<AlertAckResponse>> {
  return c.post(`/api/v1/alerts/${encodeURIComponent(fingerprint)}/ack`, AlertAckResponseSchema, {});
}
