// GET /api/v1/ooms: the OOM explorer.
import { OomQuerySchema, type OomResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryOoms } from '../../storage/queries/ooms.js';
import { resolveRange } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerOomRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/ooms',
    {
      schema: {
        tags: ['ooms'],
        summary: 'OOM events with cause, numbers and job context; counts by cause/model/resolution/batch/tier; what to try',
        querystring: z.toJSONSchema(OomQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<OomResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(OomQuerySchema, req.query);
      const r = resolveRange({ from: q.from, to: q.to, step_s: 86400 }, deps.now(), deps.limits, 86400);
      return deps.cache.get(cacheKey(s, req), async () => ({ from: r.from.toISOString(), to: r.to.toISOString(), ...(await queryOoms(s, q, r.from, r.to)) }));
    },
  );
}
