// GET /api/v1/campaigns, GET /api/v1/campaigns/{id} and GET /api/v1/workflows/cache: batch campaigns
// (jobs submitted as one piece of work) with progress, rate, ETA and what each interruption cost;
// node-cache hit rate per workflow fingerprint. Definitions and formulas: docs/signals.md "Campaigns".
import { z } from 'zod';
import { INTERRUPTION_KINDS } from '../events.js';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/**
 * How the jobs were grouped: ComfyUI prompts of one `client_id` and workflow fingerprint within the
 * grouping window, ComfyUI prompts with an explicit `extra_data.renderwatch_campaign` label, an
 * A1111/Forge batch (batch count x batch size), a LoRA training run (kohya, ai-toolkit, diffusers).
 */
export const CAMPAIGN_SOURCES = ['comfyui_client', 'label', 'a1111_batch', 'training_run'] as const;
export const CampaignSourceSchema = z.enum(CAMPAIGN_SOURCES);
export type CampaignSource = z.infer<typeof CampaignSourceSchema>;

/** What broke a campaign's run (docs/signals.md "Interruption kinds"). */
export const InterruptionKindSchema = z.enum(INTERRUPTION_KINDS);
export type InterruptionKind = z.infer<typeof InterruptionKindSchema>;

/** running: work still arriving; finished: every planned job ended (or the run reached its last epoch); stalled: planned work left and nothing for longer than the window. */
export const CAMPAIGN_STATUSES = ['running', 'finished', 'stalled'] as const;
export const CampaignStatusSchema = z.enum(CAMPAIGN_STATUSES);
export type CampaignStatus = z.infer<typeof CampaignStatusSchema>;

/** The longest campaign label stored (code points); longer ones are cut, control characters dropped. */
export const CAMPAIGN_LABEL_MAX = 128;

export const CampaignsQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
  runtime: FilterValueSchema.optional(),
  status: CampaignStatusSchema.optional(),
});
export type CampaignsQuery = z.infer<typeof CampaignsQuerySchema>;

export const CampaignIdParamsSchema = z.object({ id: z.string().min(1).max(128) });
export type CampaignIdParams = z.infer<typeof CampaignIdParamsSchema>;

/** One interruption and what followed it. */
export const CampaignInterruptionSchema = z.object({
  kind: InterruptionKindSchema,
  /** ISO time the interruption was detected (the runtime came back, the agent started again, ...). */
  at: z.string(),
  host: z.string(),
  /** Last job end before it to first job start after it, seconds; null when no job followed. */
  time_lost_s: z.number().nullable(),
  /** Jobs started before and never ended. */
  jobs_lost: z.number(),
  /** Jobs after it whose content (salted hash of the whole graph) matches a job already done: work done twice. */
  jobs_redone: z.number(),
  /** Jobs after it that had not been done before: the campaign went on where it was. */
  jobs_resumed: z.number(),
  /** Images reported by jobs before it whose files the runtime no longer serves; null when not checked. */
  images_missing: z.number().nullable(),
  /** Training runs: `checkpoint` (resumed from a saved epoch/step) or `epoch0` (restarted from the start). */
  training_resume: z.enum(['checkpoint', 'epoch0']).nullable(),
  /** Training runs: the epoch the run continued from (0 for a restart). */
  resumed_from_epoch: z.number().nullable(),
});
export type CampaignInterruption = z.infer<typeof CampaignInterruptionSchema>;

export const CampaignSummarySchema = z.object({
  id: z.string(),
  /** The user's label (truncated to CAMPAIGN_LABEL_MAX, control characters removed); null when grouped implicitly. */
  label: z.string().nullable(),
  source: CampaignSourceSchema,
  runtime: z.string(),
  hosts: z.array(z.string()),
  /** Hash of the graph's node types and links (never its values); null outside ComfyUI. */
  workflow_fingerprint: z.string().nullable(),
  first_at: z.string(),
  last_at: z.string(),
  status: CampaignStatusSchema,
  /** Declared (extra_data, batch count, epochs) or seen queued; null when unknown. */
  planned_jobs: z.number().nullable(),
  planned_images: z.number().nullable(),
  /** Distinct jobs ended ok (a redone job counts once). */
  done_jobs: z.number(),
  /** Jobs ended oom / error / interrupted and never redone ok. */
  failed_jobs: z.number(),
  /** Jobs ended ok whose content had already been done ok in this campaign. */
  redone_jobs: z.number(),
  images: z.number(),
  /** images / active minutes (first start to last end minus time lost); null under one job. */
  images_per_min: z.number().nullable(),
  /** Seconds of work left at images_per_min (jobs when images are not planned); null when unknown or finished. */
  remaining_s: z.number().nullable(),
  /** The last job's end + remaining_s; null when remaining_s is. */
  eta: z.string().nullable(),
  /** done_jobs / planned_jobs (images for training: epochs done / total); null when nothing is planned. */
  completion_ratio: z.number().nullable(),
  interruptions: z.number(),
  /** After the last interruption the campaign went on (resumed jobs, or a checkpoint resume) rather than starting over; null without interruptions. */
  resumed: z.boolean().nullable(),
  /** Images its jobs reported whose files the runtime no longer served when the campaign ended (the agent's end check); null when not checked. */
  images_missing_at_end: z.number().nullable(),
});
export type CampaignSummary = z.infer<typeof CampaignSummarySchema>;

export const CampaignsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(CampaignSummarySchema),
});
export type CampaignsResponse = z.infer<typeof CampaignsResponseSchema>;

/** Why a campaign's GPU figures are null: not attributed (training runs), raw samples dropped, or the cost query failed. */
export const CAMPAIGN_COST_UNKNOWN = ['training_run', 'past_raw_retention', 'failed'] as const;

/**
 * The campaign's share of the GPU time, energy and money of the window, worked out as
 * `GET /api/v1/cost?by=campaign` does (docs/api.md "Cost per campaign"): the same figures as its
 * row there for the same `from`/`to`.
 */
export const CampaignDetailCostSchema = z.object({
  /** The window the figures cover: the detail's range widened to whole hours, as /api/v1/cost does. */
  from: z.string(),
  to: z.string(),
  /** GPU models its jobs ran on (those with attributed GPU time). */
  gpu_names: z.array(z.string()),
  /** The campaign's jobs that ended in the window (any outcome) and their images; null when the cost query failed. */
  jobs: z.number().nullable(),
  images: z.number().nullable(),
  /** Of those, jobs with no GPU index on a host with several GPUs: no GPU time attributed to them. */
  unattributed_jobs: z.number().nullable(),
  /** Null when `unknown` says why. */
  gpu_hours: z.number().nullable(),
  /** Null also when no attributed sample carried an energy reading. */
  energy_kwh: z.number().nullable(),
  /** Null also when none of its GPU time is priced. */
  cost: z.number().nullable(),
  unpriced_gpu_hours: z.number().nullable(),
  cost_per_image: z.number().nullable(),
  /** Why the GPU figures are null; null when they are worked out. */
  unknown: z.enum(CAMPAIGN_COST_UNKNOWN).nullable(),
  /** With unknown = failed: the error code of the cost query (e.g. COL_ERR_API_QUERY_TOO_EXPENSIVE); null otherwise. */
  error_code: z.string().nullable(),
});
export type CampaignDetailCost = z.infer<typeof CampaignDetailCostSchema>;

export const CampaignDetailSchema = CampaignSummarySchema.extend({
  interruption_list: z.array(CampaignInterruptionSchema),
  /** Node-cache totals of the campaign's jobs: cached / executed nodes; null without node_cache events. */
  cache_hit_ratio: z.number().nullable(),
  /** Training runs: the epochs the run planned and reached; null otherwise. */
  total_epochs: z.number().nullable(),
  last_epoch: z.number().nullable(),
  /** GET /api/v1/campaigns/{id} always answers it; absent from collectors older than it. */
  cost: CampaignDetailCostSchema.optional(),
});
export type CampaignDetail = z.infer<typeof CampaignDetailSchema>;

export const WorkflowCacheQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
});
export type WorkflowCacheQuery = z.infer<typeof WorkflowCacheQuerySchema>;

export const WorkflowCacheRowSchema = z.object({
  workflow_fingerprint: z.string(),
  jobs: z.number(),
  /** Jobs with at least one node served from the cache. */
  jobs_with_hits: z.number(),
  cached_nodes: z.number(),
  executed_nodes: z.number(),
  /** cached_nodes / executed_nodes (executed = every node of the graph, cached or run); null when 0. */
  hit_ratio: z.number().nullable(),
});
export type WorkflowCacheRow = z.infer<typeof WorkflowCacheRowSchema>;

export const WorkflowCacheResponseSchema = z.object({ from: z.string(), to: z.string(), rows: z.array(WorkflowCacheRowSchema) });
export type WorkflowCacheResponse = z.infer<typeof WorkflowCacheResponseSchema>;

/** Paths of the campaign routes, for typed clients: `client.get(CAMPAIGN_PATHS.list, CampaignsResponseSchema, query)`. */
export const CAMPAIGN_PATHS = {
  list: '/api/v1/campaigns',
  detail: (id: string): string => `/api/v1/campaigns/${encodeURIComponent(id)}`,
  workflowCache: '/api/v1/workflows/cache',
} as const;
