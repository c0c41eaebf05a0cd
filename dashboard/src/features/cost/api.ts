import {
  CapacityResponseSchema,
  CostResponseSchema,
  emptyCostTotals,
  FleetResponseSchema,
  type CapacityResponse,
  type CostResponse,
  type CostTotals,
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

/**
 * The totals of each of `hosts` over the range in one request (`by=host`), in the order given; a host
 * the answer does not list had nothing in the range. A collector older than `by=host` answers no
 * `hosts`: then one request per host, as before.
 */
export async function fetchCostByHost(c: ApiClient, range: TimeRange, hosts: readonly string[]): Promise<ApiResult<{ host: string; totals: CostTotals }[]>> {
  const q = rangeQuery(range);
  const grouped = await c.get('/api/v1/cost', CostResponseSchema, { ...q, by: 'host' });
  if (!grouped.ok) return grouped;
  const list = grouped.data.hosts;
  if (list !== undefined) {
    const byName = new Map(list.map((h) => [h.host, h.totals]));
    return { ok: true, data: hosts.map((host) => ({ host, totals: byName.get(host) ?? emptyCostTotals() })) };
  }
  const out: { host: string; totals: CostTotals }[] = [];
  const answers = await Promise.all(hosts.map((h) => c.get('/api/v1/cost', CostResponseSchema, { ...q, host: h })));
  for (let i = 0; i < hosts.length; i++) {
    const a = answers[i];
    if (a === undefined) continue;
    if (!a.ok) return a;
    out.push({ host: hosts[i] ?? '', totals: a.data.totals });
  }
  return { ok: true, data: out };
}
