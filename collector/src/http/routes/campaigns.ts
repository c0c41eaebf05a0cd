// GET /api/v1/campaigns, GET /api/v1/campaigns/{id}: batch campaigns with progress, rate, ETA and
// interruptions; GET /api/v1/workflows/cache: node-cache hit rate per workflow fingerprint.
// Definitions: docs/signals.md "Campaigns".
import {
  CampaignIdParamsSchema,
  CampaignsQuerySchema,
  WorkflowCacheQuerySchema,
  type CampaignDetail,
  type CampaignDetailCost,
  type CampaignsResponse,
  type WorkflowCacheResponse,
} from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { queryOneCampaignCost } from '../../storage/queries/campaign-cost.js';
import { queryCampaign, queryCampaigns, queryWorkflowCache } from '../../storage/queries/campaigns.js';
import type { GpuPrice } from '../../storage/queries/gpu-prices.js';
import type { TenantScope } from '../../storage/scope.js';
import { resolveRange } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

/** Campaigns default to the last day: most batches run overnight. */
const DEFAULT_RANGE_S = 86400;
const HOUR_MS = 3600_000;

const NO_GPU_FIGURES = { gpu_hours: null, energy_kwh: null, cost: null, unpriced_gpu_hours: null, cost_per_image: null, gpu_names: [] };

/**
 * The detail's `cost`: the campaign's row of /api/v1/cost?by=campaign over the range widened to whole
 * hours (as that route does). GPU figures are null for training runs (their events carry no campaign
 * id) and when the cost query fails (the rest of the detail still answers); `withRawRetention` then
 * nulls them when the window reaches before the raw samples kept. Runs beside the detail's own query.
 */
export async function campaignDetailCost(
  s: TenantScope,
  id: string,
  range: { from: Date; to: Date },
  o: { prices: readonly GpuPrice[]; nowMs: number },
): Promise<CampaignDetailCost> {
  const from = new Date(Math.floor(range.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = new Date(Math.ceil(range.to.getTime() / HOUR_MS) * HOUR_MS);
  const base = { from: from.toISOString(), to: to.toISOString(), error_code: null };
  const noCounts = { jobs: null, images: null, unattributed_jobs: null };
  if (id.startsWith('t-')) return { ...base, ...NO_GPU_FIGURES, ...noCounts, unknown: 'training_run' };
  let row;
  try {
    row = await queryOneCampaignCost(s, id, from, to, o.prices, o.nowMs);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { ...base, ...NO_GPU_FIGURES, ...noCounts, unknown: 'failed', error_code: e.code };
  }
  return {
    ...base,
    jobs: row?.jobs ?? 0,
    images: row?.images ?? 0,
    unattributed_jobs: row?.unattributed_jobs ?? 0,
    gpu_names: row?.gpu_names ?? [],
    gpu_hours: row?.gpu_hours ?? 0,
    energy_kwh: row?.energy_kwh ?? null,
    cost: row?.cost ?? null,
    unpriced_gpu_hours: row?.unpriced_gpu_hours ?? 0,
    cost_per_image: row?.cost_per_image ?? null,
    unknown: null,
  };
}

/**
 * No GPU figures when the first sample the campaign needs (the later of the window's start and the
 * campaign's `first_at`) is older than the first UTC day whose raw samples are surely kept (retention
 * drops whole days older than COLLECTOR_RETENTION_RAW_DAYS): a partial figure would understate it. Pure.
 */
export function withRawRetention(cost: CampaignDetailCost, firstAt: string, o: { nowMs: number; rawRetentionDays: number }): CampaignDetailCost {
  if (cost.unknown !== null) return cost;
  const keptFrom = Date.parse(new Date(o.nowMs - o.rawRetentionDays * 86400_000).toISOString().slice(0, 10));
  if (Math.max(Date.parse(cost.from), Date.parse(firstAt)) >= keptFrom) return cost;
  return { ...cost, ...NO_GPU_FIGURES, unknown: 'past_raw_retention' };
}

export function registerCampaignRoutes(app: FastifyInstance, deps: QueryDeps, prices: readonly GpuPrice[] = []): void {
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
        summary:
          'One campaign with each interruption and what followed it (jobs lost, redone, resumed; time lost), cache hit ratio, training epochs, and its cost (GPU-hours, kWh, money, money per image) as /api/v1/cost?by=campaign',
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
        .get(cacheKey(s, req), async () => {
          const opts = { prices, nowMs: deps.now(), rawRetentionDays: deps.limits.rawRetentionDays };
          const [c, cost] = await Promise.all([queryCampaign(s, id, r.from, r.to, deps.now()), campaignDetailCost(s, id, r, opts)]);
          return c === undefined ? undefined : { ...c, cost: withRawRetention(cost, c.first_at, opts) };
        })
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
