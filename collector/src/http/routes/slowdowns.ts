// GET /api/v1/slowdowns: hosts ranked by drop in images/min against their own baseline.
import { SlowdownQuerySchema, type SlowdownResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { querySlowdowns } from '../../storage/queries/slowdowns.js';
import { resolveFleetWindow } from '../fleet-range.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerSlowdownRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/slowdowns',
    {
      schema: {
        tags: ['slowdowns'],
        summary: 'Hosts ranked by drop in images/min vs their baseline, with likely reasons',
        querystring: z.toJSONSchema(SlowdownQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<SlowdownResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(SlowdownQuerySchema, req.query);
      const now = deps.now();
      const cur = resolveFleetWindow(q, now, deps.limits, 86400);
      const baseTo = cur.from.toISOString();
      const baseFrom = new Date(cur.from.getTime() - q.baseline_days * 86400_000).toISOString();
      const base = resolveFleetWindow({ from: baseFrom, to: baseTo }, now, deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: cur.from.toISOString(),
        to: cur.to.toISOString(),
        baseline_from: base.from.toISOString(),
        baseline_to: base.to.toISOString(),
        resolution: cur.resolution,
        hosts: await querySlowdowns(s, cur, base, q.limit),
      }));
    },
  );
}
