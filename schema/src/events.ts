import { z } from 'zod';

/** Runtimes the agent has adapters for (docs/design.md "Contracts"). */
export const RUNTIMES = ['comfyui', 'a1111', 'forge', 'sdnext', 'invokeai', 'wan2gp', 'diffusers', 'kohya', 'ai-toolkit'] as const;
export const RuntimeNameSchema = z.enum(RUNTIMES);
export type RuntimeName = z.infer<typeof RuntimeNameSchema>;

/**
 * Where a model load read its weights from (docs/signals.md): `download` (fetched from the network
 * before or during the load), `network` (a network/remote volume), `disk` (local disk at disk
 * speed), `cache` (page cache / RAM), `resident` (already in VRAM or RAM, nothing read).
 */
export const MODEL_LOAD_SOURCES = ['download', 'network', 'disk', 'cache', 'resident'] as const;
export type ModelLoadSource = (typeof MODEL_LOAD_SOURCES)[number];
/** A start's or first image's label (docs/signals.md "Cold and warm"). */
export const COLD_LABELS = ['cold', 'warm', 'unknown'] as const;
export type ColdLabel = (typeof COLD_LABELS)[number];
/** Where a model download came from: Hugging Face, Civitai, any other URL. */
export const DOWNLOAD_SOURCES = ['hf', 'civitai', 'url'] as const;
export type DownloadSource = (typeof DOWNLOAD_SOURCES)[number];
export const MODEL_LOAD_MODES = ['full', 'partial', 'dynamic'] as const;
export const JOB_OUTCOMES = ['ok', 'oom', 'error', 'interrupted'] as const;
export const OOM_CAUSES = ['resolution', 'batch', 'addons', 'fragmentation', 'other_process', 'model_too_large', 'unknown'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];
export type OomCause = (typeof OOM_CAUSES)[number];

const num = z.number().finite();
const count = z.number().int().nonnegative();

const base = {
  runtime: z.string().min(1),
  /** ISO-8601 timestamp, only when the source gives one. */
  ts: z.string().optional(),
};

export const RuntimeStartEventSchema = z.object({
  ...base,
  kind: z.literal('runtime_start'),
  version: z.string().optional(),
  extensions: z.array(z.string()).optional(),
});
export const RuntimeReadyEventSchema = z.object({
  ...base,
  kind: z.literal('runtime_ready'),
  startup_s: num.nonnegative().optional(),
  url: z.string().optional(),
  /** Set by the agent (not by log parsers): runtime_start → this ready, seconds. */
  start_to_ready_s: num.nonnegative().optional(),
  /** Set by the agent: the start's label from the models loaded before ready, and the rule that chose it. */
  cold: z.enum(COLD_LABELS).optional(),
  cold_rule: z.string().optional(),
});
export const ModelLoadEventSchema = z.object({
  ...base,
  kind: z.literal('model_load'),
  model: z.string().optional(),
  model_hash: z.string().optional(),
  source: z.enum(MODEL_LOAD_SOURCES).optional(),
  duration_s: num.nonnegative().optional(),
  loaded_mb: num.nonnegative().optional(),
  offloaded_mb: num.nonnegative().optional(),
  mode: z.enum(MODEL_LOAD_MODES).optional(),
  /** The weights file's path when the log names it (which volume it was read from). */
  path: z.string().optional(),
});
export const ModelDownloadEventSchema = z.object({
  ...base,
  kind: z.literal('model_download'),
  model: z.string().optional(),
  bytes: count.optional(),
  duration_s: num.nonnegative().optional(),
  bytes_per_s: num.nonnegative().optional(),
  source: z.enum(DOWNLOAD_SOURCES).optional(),
});
/**
 * Emitted by the agent (not by log parsers) when the first job after a runtime_start that produced
 * an image finishes: time to first image, split at ready, with the start's cold/warm label.
 */
export const FirstImageEventSchema = z.object({
  ...base,
  kind: z.literal('first_image'),
  job_id: z.string().optional(),
  start_to_first_image_s: num.nonnegative().optional(),
  start_to_ready_s: num.nonnegative().optional(),
  ready_to_first_image_s: num.nonnegative().optional(),
  /** The job's own queued → first image, seconds. */
  queued_to_image_s: num.nonnegative().optional(),
  cold: z.enum(COLD_LABELS).optional(),
  cold_rule: z.string().optional(),
});
export const ModelUnloadEventSchema = z.object({
  ...base,
  kind: z.literal('model_unload'),
  model: z.string().optional(),
  freed_mb: num.nonnegative().optional(),
});
/** Campaign tags of a job (agent/src/campaigns; docs/signals.md "Campaigns"). */
const campaignTags = {
  /** The campaign the job belongs to (`l-`: labelled, `c-`: client id + fingerprint, `b-`: A1111 batch). */
  campaign_id: z.string().optional(),
  /** Hash of the graph's node types and links, never its values. */
  workflow_fingerprint: z.string().optional(),
};

export const JobStartEventSchema = z.object({
  ...base,
  kind: z.literal('job_start'),
  job_id: z.string().optional(),
  /** Seconds the job waited in the runtime's queue before it started, when the runtime says. */
  queue_wait_s: num.nonnegative().optional(),
  ...campaignTags,
});
export const JobEndEventSchema = z.object({
  ...base,
  kind: z.literal('job_end'),
  job_id: z.string().optional(),
  duration_s: num.nonnegative().optional(),
  outcome: z.enum(JOB_OUTCOMES).optional(),
  images: count.optional(),
  width: count.optional(),
  height: count.optional(),
  steps: count.optional(),
  batch: count.optional(),
  model: z.string().optional(),
  /** Set by the agent on a job that produced an image: queued → this end, seconds. */
  queued_to_image_s: num.nonnegative().optional(),
  /** Set by the agent: the job's label from the models it loaded, and the rule that chose it. */
  cold: z.enum(COLD_LABELS).optional(),
  cold_rule: z.string().optional(),
  ...campaignTags,
  /** Salted hash of the whole graph (values included): the same work submitted again has the same key. */
  job_key: z.string().optional(),
});
export const NodeCacheEventSchema = z.object({
  ...base,
  kind: z.literal('node_cache'),
  cached_nodes: count.optional(),
  executed_nodes: count.optional(),
  /** The job the cache served. */
  job_id: z.string().optional(),
  workflow_fingerprint: z.string().optional(),
});
export const QueueEventSchema = z.object({
  ...base,
  kind: z.literal('queue'),
  pending: count.optional(),
  running: count.optional(),
  oldest_wait_s: num.nonnegative().optional(),
});
export const ProgressEventSchema = z.object({
  ...base,
  kind: z.literal('progress'),
  step: count.optional(),
  total_steps: count.optional(),
  it_per_s: num.nonnegative().optional(),
});
export const OomEventSchema = z.object({
  ...base,
  kind: z.literal('oom'),
  requested_bytes: count.optional(),
  total_bytes: count.optional(),
  free_bytes: count.optional(),
  allocated_bytes: count.optional(),
  reserved_unallocated_bytes: count.optional(),
  other_processes_bytes: count.optional(),
  device: z.string().optional(),
  recovered: z.boolean().optional(),
  cause: z.enum(OOM_CAUSES).optional(),
  cause_rule: z.string().optional(),
});
export const ErrorEventSchema = z.object({
  ...base,
  kind: z.literal('error'),
  error_type: z.string().optional(),
  /** the message's template: user text replaced by <str> <path> <num> <id> <words> (docs/privacy.md) */
  message: z.string().optional(),
  /** stable fingerprint of error_type and template (16 hex digits): equal errors group together */
  message_fingerprint: z.string().optional(),
  /**
   * the message's first line with only known prompt blocks redacted; kept in the agent's memory and
   * sent instead of the template only when AGENT_ERROR_MESSAGES=raw (never by default)
   */
  message_raw: z.string().optional(),
});
export const TrainingProgressEventSchema = z.object({
  ...base,
  kind: z.literal('training_progress'),
  step: count.optional(),
  total_steps: count.optional(),
  epoch: count.optional(),
  total_epochs: count.optional(),
  loss: num.optional(),
  it_per_s: num.nonnegative().optional(),
});
export const CheckpointSavedEventSchema = z.object({
  ...base,
  kind: z.literal('checkpoint_saved'),
  step: count.optional(),
  epoch: count.optional(),
  path: z.string().optional(),
});
export const TrainingResumedEventSchema = z.object({
  ...base,
  kind: z.literal('training_resumed'),
  step: count.optional(),
  epoch: count.optional(),
  path: z.string().optional(),
});
export const OutputWrittenEventSchema = z.object({
  ...base,
  kind: z.literal('output_written'),
  images: count.optional(),
  bytes: count.optional(),
});

export const INTERRUPTION_KINDS = ['runtime_restart', 'host_silent', 'agent_restart', 'preemption'] as const;
/**
 * A campaign's plan or an interruption of it, from the agent: `planned_*` when the plan is known or
 * grows (declared in extra_data, seen queued), `interruption` when the runtime or the agent restarted
 * while the campaign was open.
 */
export const CampaignEventSchema = z.object({
  ...base,
  kind: z.literal('campaign'),
  campaign_id: z.string(),
  label: z.string().optional(),
  workflow_fingerprint: z.string().optional(),
  planned_jobs: count.optional(),
  planned_images: count.optional(),
  interruption: z.enum(INTERRUPTION_KINDS).optional(),
  /** runtime_restart: the campaign's prompts running or queued when the runtime went, never finished. */
  lost_jobs: count.optional(),
  /** runtime_restart / agent_restart, or without interruption the campaign's end check: images reported before that the runtime no longer serves (checked over its API). */
  images_missing: count.optional(),
});

/** One runtime event, as the adapters emit it and `parse-log` prints it. */
export const RuntimeEventSchema = z.discriminatedUnion('kind', [
  RuntimeStartEventSchema,
  RuntimeReadyEventSchema,
  ModelLoadEventSchema,
  ModelUnloadEventSchema,
  ModelDownloadEventSchema,
  FirstImageEventSchema,
  JobStartEventSchema,
  JobEndEventSchema,
  NodeCacheEventSchema,
  QueueEventSchema,
  ProgressEventSchema,
  OomEventSchema,
  ErrorEventSchema,
  TrainingProgressEventSchema,
  CheckpointSavedEventSchema,
  TrainingResumedEventSchema,
  OutputWrittenEventSchema,
  CampaignEventSchema,
]);
export type RuntimeEvent = z.infer<typeof RuntimeEventSchema>;
export type RuntimeEventKind = RuntimeEvent['kind'];
export type RuntimeEventOf<K extends RuntimeEventKind> = Extract<RuntimeEvent, { kind: K }>;
export const RUNTIME_EVENT_KINDS = RuntimeEventSchema.options.map((o) => o.shape.kind.value);
