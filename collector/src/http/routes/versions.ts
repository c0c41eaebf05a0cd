// GET /api/v1/versions: per host, runtime versions and extension sets over time, and model hashes seen.
import { VersionsQuerySchema, type VersionsResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryVersions } from '../../storage/queries/versions.js';
import { resolveWindow } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerVersionRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/versions',
    {
      schema: {
        tags: ['versions'],
        summary: 'Version drift per host: runtime version and extension-set runs (added/removed vs the start before), model hashes with first/last seen',
        querystring: z.toJSONSchema(VersionsQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<VersionsResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(VersionsQuerySchema, req.query);
      // Range guards only: raw runtime_start events; model hashes from model_hashes_1d for whole days, raw for the rest.
      const r = resolveWindow(q, deps.now(), deps.limits, 7 * 86400);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        hosts: await queryVersions(s, r.from, r.to, q),
      }));
    },
  );
}
