// GET /api/v1/capacity: VRAM peak percentiles per workload vs GPU tiers; GPU-hours per GPU model.
import { CapacityQuerySchema, GPU_TIERS_GB, type CapacityResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryCapacity } from '../../storage/queries/capacity.js';
import { resolveWindow } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerCapacityRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/capacity',
    {
      schema: {
        tags: ['capacity'],
        summary: 'VRAM peak p50/p90/p99 per model/runtime/resolution against 16-80 GB tiers; GPU-hours and utilization per GPU model',
        querystring: z.toJSONSchema(CapacityQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<CapacityResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(CapacityQuerySchema, req.query);
      // Hourly tables: the range is widened to whole hours (checked against the range guards first).
      const r = resolveWindow(q, deps.now(), deps.limits, 7 * 86400);
      const from = new Date(Math.floor(r.from.getTime() / 3600_000) * 3600_000);
      const to = new Date(Math.ceil(r.to.getTime() / 3600_000) * 3600_000);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: from.toISOString(),
        to: to.toISOString(),
        resolution: '1h' as const,
        tiers_gb: [...GPU_TIERS_GB],
        ...(await queryCapacity(s, from, to, q)),
      }));
    },
  );
}
