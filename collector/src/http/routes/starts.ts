// GET /api/v1/starts: cold and warm start-to-ready distributions per runtime and per host.
// GET /api/v1/starts/first-images: time to first image per start and per job, by cold/warm label.
import { FirstImagesQuerySchema, StartsQuerySchema, type FirstImagesResponse, type StartsResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryFirstImages } from '../../storage/queries/first-images.js';
import { queryStarts } from '../../storage/queries/starts.js';
import { resolveWindow } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerStartRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/starts',
    {
      schema: {
        tags: ['starts'],
        summary: 'Cold and warm start-to-ready count, p50/p90/max and never-ready starts per runtime and per host',
        querystring: z.toJSONSchema(StartsQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<StartsResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(StartsQuerySchema, req.query);
      // Range guards only: starts are read from the raw events (a few per host and day).
      const r = resolveWindow(q, deps.now(), deps.limits, 86400);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        ...(await queryStarts(s, r.from, r.to, q, deps.now())),
      }));
    },
  );
  app.get(
    '/api/v1/starts/first-images',
    {
      schema: {
        tags: ['starts'],
        summary: 'Time to first image per runtime start (split at ready) and per job (queued → image), by cold/warm label, with the labelling rules',
        querystring: z.toJSONSchema(FirstImagesQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<FirstImagesResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(FirstImagesQuerySchema, req.query);
      // Range guards only: one first_image row per start; job_end rows are read for one column.
      const r = resolveWindow(q, deps.now(), deps.limits, 86400);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        ...(await queryFirstImages(s, r.from, r.to, q)),
      }));
    },
  );
}
