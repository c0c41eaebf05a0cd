// GET /api/v1/events: runtime events, newest first, filtered.
import { EventListQuerySchema, type EventListResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryEvents } from '../../storage/queries/events.js';
import { resolveRange } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerEventRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Runtime events (jobs, model loads, starts, OOMs, training...) newest first',
        querystring: z.toJSONSchema(EventListQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<EventListResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(EventListQuerySchema, req.query);
      const r = resolveRange({ from: q.from, to: q.to, step_s: 86400 }, deps.now(), deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => ({ from: r.from.toISOString(), to: r.to.toISOString(), ...(await queryEvents(s, q, r.from, r.to)) }));
    },
  );
}
