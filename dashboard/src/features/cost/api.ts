import {
  CapacityResponseSchema,
  CostResponseSchema,
  FleetResponseSchema,
  type CapacityResponse,
  type CostResponse,
  type FleetResponse,
} from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';

export function fetchCost(c: ApiClient, range: TimeRange, host?: string): Promise<ApiResult<CostResponse>> {
  return c.get('/api/v1/cost', CostResponseSchema, { ...rangeQuery(range), host });
}

export function fetchFleetGpus(c: ApiClient): Promise<ApiResult<FleetResponse>> {
  return c.get('/api/v1/fleet', FleetResponseSchema);
}

export function fetchCapacityFor(c: ApiClient, range: TimeRange): Promise<ApiResult<CapacityResponse>> {
  return c.get('/api/v1/capacity', CapacityResponseSchema, rangeQuery(range));
}

/** Cost of every host in turn (the API answers one host per call); the page asks once its main answer is in. */
export async function fetchCostByHost(c: ApiClient, range: TimeRange, hosts: readonly string[]): Promise<ApiResult<{ host: string; cost: CostResponse }[]>> {
  const out: { host: string; cost: CostResponse }[] = [];
  const q = rangeQuery(range);
  const answers = await Promise.all(hosts.map((h) => c.get('/api/v1/cost', CostResponseSchema, { ...q, host: h })));
  for (let i = 0; i < hosts.length; i++) {
    const a = answers[i];
    if (a === undefined) continue;
    if (!a.ok) return a;
    out.push({ host: hosts[i] ?? '', cost: a.data });
  }
  return { ok: true, data: out };
}
