// GET /api/v1/fleet/summary (tiles) and /api/v1/fleet/heatmap (hosts × time utilization).
import { FleetSummaryQuerySchema, HeatmapQuerySchema, type FleetSummaryResponse, type HeatmapResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryFleetSummary, queryHeatmap } from '../../storage/queries/fleet-overview.js';
import { resolveFleetRange, resolveFleetWindow } from '../fleet-range.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerOverviewRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/fleet/summary',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Fleet tiles: hosts up/silent, GPUs busy, images/min, jobs, OOMs, throttle share',
        querystring: z.toJSONSchema(FleetSummaryQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<FleetSummaryResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(FleetSummaryQuerySchema, req.query);
      const now = deps.now();
      const r = resolveFleetWindow(q, now, deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        step_s: r.stepS,
        resolution: r.resolution,
        ...(await queryFleetSummary(s, r, now, deps.silentAfterS)),
      }));
    },
  );
  app.get(
    '/api/v1/fleet/heatmap',
    { schema: { tags: ['fleet'], summary: 'Mean GPU utilization per host and time bucket', querystring: z.toJSONSchema(HeatmapQuerySchema, { io: 'input' }) } },
    (req): Promise<HeatmapResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(HeatmapQuerySchema, req.query);
      const r = resolveFleetRange(q, deps.now(), deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        step_s: r.stepS,
        resolution: r.resolution,
        ...(await queryHeatmap(s, r)),
      }));
    },
  );
}
