import { UtilizationQuerySchema, type FleetResponse, type UtilizationResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryFleet, queryUtilization } from '../../storage/queries/fleet.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';
import { resolveRange } from '../../storage/resolution.js';
import { resolveFleetRange } from '../fleet-range.js';

export function registerFleetRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get('/api/v1/fleet', { schema: { tags: ['fleet'], summary: 'Hosts with their GPUs and latest values' } }, (req): Promise<FleetResponse> => {
    const s = scopeFor(deps, req);
    const now = new Date(deps.now());
    return queryFleet(s, now, deps.silentAfterS, deps.maxGpusPerHost).then((hosts) => ({
      generated_at: now.toISOString(),
      silent_after_s: deps.silentAfterS,
      hosts,
    }));
  });
  app.get(
    '/api/v1/fleet/utilization',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Fleet mean GPU utilization and VRAM use over time, with per-host utilization rows for the first hosts_limit hosts (compact arrays)',
        querystring: z.toJSONSchema(UtilizationQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<UtilizationResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(UtilizationQuerySchema, req.query);
      const r = (q.host === undefined ? resolveFleetRange : resolveRange)(q, deps.now(), deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        step_s: r.stepS,
        resolution: r.resolution,
        ...(await queryUtilization(s, r, q.host, q.hosts_limit)),
      }));
    },
  );
}
