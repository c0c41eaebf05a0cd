// GET /api/v1/cost: GPU-hours, energy (NVML counter) and cost per job and per image per GPU model;
// with `by=campaign` also per batch campaign (docs/api.md "Cost per campaign").
import { CostQuerySchema, type CostResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GpuPrice } from '../../storage/queries/gpu-prices.js';
import { queryCampaignCost } from '../../storage/queries/campaign-cost.js';
import { costSpans, queryCost } from '../../storage/queries/cost.js';
import { resolveWindow } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerCostRoutes(app: FastifyInstance, deps: QueryDeps, prices: readonly GpuPrice[]): void {
  app.get(
    '/api/v1/cost',
    {
      schema: {
        tags: ['cost'],
        summary:
          'GPU-hours, energy (kWh, NVML counter) and cost per job and per image per GPU model, from COLLECTOR_GPU_PRICES; with by=campaign also per campaign',
        querystring: z.toJSONSchema(CostQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<CostResponse> => {
      const s = scopeFor(deps, req);
      const q = parseInput(CostQuerySchema, req.query);
      // Hourly tables: the range is widened to whole hours (checked against the range guards first).
      const r = resolveWindow(q, deps.now(), deps.limits, 7 * 86400);
      const from = new Date(Math.floor(r.from.getTime() / 3600_000) * 3600_000);
      const to = new Date(Math.ceil(r.to.getTime() / 3600_000) * 3600_000);
      return deps.cache.get(cacheKey(s, req), async () => {
        const [models, campaigns] = await Promise.all([
          queryCost(s, from, to, q, prices),
          q.by === 'campaign' ? queryCampaignCost(s, from, to, q, prices, deps.now()) : undefined,
        ]);
        return {
          from: from.toISOString(),
          to: to.toISOString(),
          resolution: costSpans(from, to).days === null ? '1h' : '1d',
          ...models,
          ...(campaigns === undefined ? {} : { campaigns }),
        };
      });
    },
  );
}
