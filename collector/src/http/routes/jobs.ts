// GET /api/v1/jobs/stats: outcomes, duration and seconds-per-image percentiles by model and runtime.
import { JobStatsQuerySchema, type JobStatsResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryJobStats } from '../../storage/queries/jobs.js';
import { resolveWindow } from '../../storage/resolution.js';
import { resolveFleetWindow } from '../fleet-range.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerJobRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/jobs/stats',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Job outcomes, completion ratio, images, duration and seconds-per-image p50/p90/p99 by model and runtime',
        querystring: z.toJSONSchema(JobStatsQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<JobStatsResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(JobStatsQuerySchema, req.query);
      const r = (q.host === undefined ? resolveFleetWindow : resolveWindow)(q, deps.now(), deps.limits, 86400);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        resolution: r.resolution,
        rows: await queryJobStats(s, r, q),
      }));
    },
  );
}
