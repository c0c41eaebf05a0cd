// GET /api/v1/campaigns, GET /api/v1/campaigns/{id}: batch campaigns with progress, rate, ETA and
// interruptions; GET /api/v1/workflows/cache: node-cache hit rate per workflow fingerprint.
// Definitions: docs/signals.md "Campaigns".
import {
  CampaignIdParamsSchema,
  CampaignsQuerySchema,
  WorkflowCacheQuerySchema,
  type CampaignDetail,
  type CampaignsResponse,
  type WorkflowCacheResponse,
} from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { queryCampaign, queryCampaigns, queryWorkflowCache } from '../../storage/queries/campaigns.js';
import { resolveRange } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

/** Campaigns default to the last day: most batches run overnight. */
const DEFAULT_RANGE_S = 86400;

export function registerCampaignRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Batch campaigns active in the range: planned/done/failed jobs and images, images/min, ETA, interruptions, completion ratio',
        querystring: z.toJSONSchema(CampaignsQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<CampaignsResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(CampaignsQuerySchema, req.query);
      const r = resolveRange({ from: q.from, to: q.to, step_s: 86400 }, deps.now(), deps.limits, DEFAULT_RANGE_S);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        rows: await queryCampaigns(s, q, r.from, r.to, deps.now()),
      }));
    },
  );
  app.get(
    '/api/v1/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'One campaign with each interruption and what followed it (jobs lost, redone, resumed; time lost), cache hit ratio, training epochs',
        params: z.toJSONSchema(CampaignIdParamsSchema, { io: 'input' }),
        querystring: z.toJSONSchema(CampaignsQuerySchema.pick({ from: true, to: true }), { io: 'input' }),
      },
    },
    (req): Promise<CampaignDetail> => {
      const s = scopeFor(deps, req);
      const { id } = parseInput(CampaignIdParamsSchema, req.params);
      const q = parseInput(CampaignsQuerySchema.pick({ from: true, to: true }), req.query);
      const r = resolveRange({ from: q.from, to: q.to, step_s: 86400 }, deps.now(), deps.limits, 7 * DEFAULT_RANGE_S);
      return deps.cache
        .get(cacheKey(s, req), () => queryCampaign(s, id, r.from, r.to, deps.now()))
        .then((c) => {
          if (c === undefined) throw new AppError('COL_ERR_API_NOT_FOUND', `no campaign ${id} in ${r.from.toISOString()} - ${r.to.toISOString()}`);
          return c;
        });
    },
  );
  app.get(
    '/api/v1/workflows/cache',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Node-cache hit rate per workflow fingerprint (ComfyUI): jobs, jobs with hits, cached / executed nodes',
        querystring: z.toJSONSchema(WorkflowCacheQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<WorkflowCacheResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(WorkflowCacheQuerySchema, req.query);
      const r = resolveRange({ from: q.from, to: q.to, step_s: 86400 }, deps.now(), deps.limits, DEFAULT_RANGE_S);
      return deps.cache.get(cacheKey(s, req), async () => ({
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        rows: await queryWorkflowCache(s, q, r.from, r.to),
      }));
    },
  );
}
