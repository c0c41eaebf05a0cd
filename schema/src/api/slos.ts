import { z } from 'zod';
import { AlertSeveritySchema, VolumeRoleInputSchema } from '../vocabulary.js';

// SLO specs (the YAML file the collector loads) and the SLO DTOs of the HTTP API.
// The file shape is close to Sloth/OpenSLO: a list of SLOs, each with an indicator (the SLI as a
// ratio of good to valid events), an objective in percent, a rolling window and alerting options.

/** A duration such as `5m`, `6h`, `30d`, `2w` (s, m, h, d, w). */
export const DurationSchema = z.string().regex(/^(0|[1-9][0-9]*)(s|m|h|d|w)$/, 'a duration like 90s, 5m, 6h, 30d or 2w');

/** SLI kinds the evaluator knows how to compute from ClickHouse. */
export const SLI_KINDS = [
  /** runtime_start (not cold) → runtime_ready within `threshold`. */
  'warm_start',
  /** runtime_start (cold) → runtime_ready within `threshold`. */
  'cold_start',
  /** first_image of a start labelled warm (or unknown): start → first image within `threshold`. */
  'warm_first_image',
  /** first_image of a start labelled cold: start → first image within `threshold`. */
  'cold_first_image',
  /** job_end with outcome `ok` ÷ all job_end. */
  'job_success',
  /** job_end with outcome other than `oom` ÷ all job_end. */
  'oom_free',
  /** busy GPU samples without a thermal clock-event reason ÷ busy GPU samples. */
  'gpu_not_throttled',
  /** images written to disk ÷ images the runtime reported (invariant: no budget). */
  'output_durability',
  /** campaigns that ended with every planned job done ÷ campaigns that ended (finished or stalled; docs/signals.md "Campaigns"). */
  'campaign_completion',
] as const;
export const SliKindSchema = z.enum(SLI_KINDS);
/** Kinds whose events are good when they complete within `threshold`. */
export const LATENCY_SLI_KINDS = ['warm_start', 'cold_start', 'warm_first_image', 'cold_first_image'] as const;
export type SliKind = z.infer<typeof SliKindSchema>;

const LabelsSchema = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name like team or service'), z.string());

export const SloSelectorsSchema = z
  .object({
    runtime: z.array(z.string().min(1)).optional(),
    host: z.array(z.string().min(1)).optional(),
    /** host label `group` (agent labels) */
    host_group: z.array(z.string().min(1)).optional(),
    /** GPU name as reported, e.g. `NVIDIA L40S` (gpu_not_throttled only) */
    gpu_model: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type SloSelectors = z.infer<typeof SloSelectorsSchema>;

export const SloAlertSpecSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** default: critical for the page pairs, warning for the ticket pair (SLO_BURN_SEVERITY) */
    severity: AlertSeveritySchema.optional(),
    labels: LabelsSchema.optional(),
    /** how long the condition must hold before the alert fires */
    for: DurationSchema.optional(),
  })
  .strict();
export type SloAlertSpec = z.infer<typeof SloAlertSpecSchema>;

export const SloSpecSchema = z
  .object({
    /** stable id: lowercase, digits and dashes */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter'),
    display_name: z.string().min(1).optional(),
    description: z.string().optional(),
    indicator: z
      .object({
        kind: SliKindSchema,
        /** latency kinds: an event is good when it completes within this duration */
        threshold: DurationSchema.optional(),
      })
      .strict(),
    /** percent of valid events that must be good, e.g. 99 (100 = no budget, alerts on any bad event) */
    objective: z.number().gt(0).max(100),
    window: DurationSchema.default('30d'),
    /** no burn-rate alert fires with fewer valid events than this in the long window */
    min_events: z.number().int().nonnegative().default(10),
    /** tenants this SLO applies to (absent = every tenant) */
    tenants: z.array(z.string().min(1)).optional(),
    selectors: SloSelectorsSchema.default({}),
    labels: LabelsSchema.default({}),
    alerting: z
      .object({
        page: SloAlertSpecSchema.default({ enabled: true }),
        ticket: SloAlertSpecSchema.default({ enabled: true }),
        annotations: z.record(z.string(), z.string()).optional(),
        runbook_url: z.string().optional(),
      })
      .strict()
      .default({ page: { enabled: true }, ticket: { enabled: true } }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const latency = (LATENCY_SLI_KINDS as readonly string[]).includes(s.indicator.kind);
    if (latency && s.indicator.threshold === undefined) {
      ctx.addIssue({ code: 'custom', path: ['indicator', 'threshold'], message: `${s.indicator.kind} needs a threshold, e.g. 5m ("99% within 5m")` });
    }
    if (!latency && s.indicator.threshold !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['indicator', 'threshold'], message: `${s.indicator.kind} takes no threshold` });
    }
  });
export type SloSpec = z.infer<typeof SloSpecSchema>;
export type SloSpecInput = z.input<typeof SloSpecSchema>;

/** Threshold and event alerts (agent silent, GPU hot, XID, disk fill, lost output, OOM storm). */
export const ALERT_RULE_KINDS = ['agent_silent', 'gpu_temperature', 'gpu_xid', 'disk_fill', 'output_lost', 'oom_storm', 'campaign_finished'] as const;
export const AlertRuleKindSchema = z.enum(ALERT_RULE_KINDS);
export type AlertRuleKind = z.infer<typeof AlertRuleKindSchema>;

export const AlertRuleSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter'),
    kind: AlertRuleKindSchema,
    /** kind-specific limit: °C (gpu_temperature), ratio 0..1 (disk_fill), OOM count (oom_storm) */
    threshold: z.number().optional(),
    /** how far back the rule looks (agent_silent: silence length; oom_storm: counting window; campaign_finished: how long the notice stays active) */
    window: DurationSchema.optional(),
    for: DurationSchema.default('0s'),
    severity: AlertSeveritySchema.default('critical'),
    /** disk_fill: volume roles to watch (default model, output, cache; plural directory names accepted) */
    volume_roles: z.array(VolumeRoleInputSchema).optional(),
    labels: LabelsSchema.default({}),
    runbook_url: z.string().optional(),
  })
  .strict();
export type AlertRuleSpec = z.infer<typeof AlertRuleSpecSchema>;

/** The whole SLO file. */
export const SloFileSchema = z
  .object({
    version: z.literal('renderwatch/v1'),
    slos: z.array(SloSpecSchema).default([]),
    alerts: z.array(AlertRuleSpecSchema).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.slos.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'name'], message: `duplicate SLO name ${s.name}` });
      seen.add(s.name);
    });
    const seenRules = new Set<string>();
    f.alerts.forEach((a, i) => {
      if (seenRules.has(a.name)) ctx.addIssue({ code: 'custom', path: ['alerts', i, 'name'], message: `duplicate alert name ${a.name}` });
      seenRules.add(a.name);
    });
  });
export type SloFile = z.infer<typeof SloFileSchema>;

// ---- HTTP DTOs ----

/** Good and valid events over one window, with the burn rate they give. */
export const BurnWindowSchema = z.object({
  /** `5m`, `30m`, `1h`, `6h`, `3d` (nominal names for a 30-day SLO; window_s is the scaled length) */
  window: z.string(),
  window_s: z.number(),
  good: z.number(),
  valid: z.number(),
  /** error ratio ÷ (1 − objective); null without valid events or without budget */
  burn_rate: z.number().nullable(),
});
export type BurnWindow = z.infer<typeof BurnWindowSchema>;

export const SLO_STATUSES = ['ok', 'ticket', 'page', 'insufficient_data', 'breached'] as const;
export const SloStatusValueSchema = z.enum(SLO_STATUSES);
export type SloStatusValue = z.infer<typeof SloStatusValueSchema>;

export const SloStatusSchema = z.object({
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  kind: SliKindSchema,
  /** ratio 0..1, e.g. 0.99 */
  objective: z.number(),
  threshold_s: z.number().nullable(),
  window_s: z.number(),
  good: z.number(),
  valid: z.number(),
  /** good ÷ valid over the SLO window; null without valid events */
  sli: z.number().nullable(),
  /** 1 − (bad ÷ (budget × valid)); may go negative when over budget; null without valid events */
  error_budget_remaining: z.number().nullable(),
  /** burn rate over the whole SLO window */
  period_burn_rate: z.number().nullable(),
  windows: z.array(BurnWindowSchema),
  status: SloStatusValueSchema,
  min_events: z.number(),
  evaluated_at: z.string(),
});
export type SloStatus = z.infer<typeof SloStatusSchema>;

export const SloListResponseSchema = z.object({
  generated_at: z.string(),
  slos: z.array(SloStatusSchema),
});
export type SloListResponse = z.infer<typeof SloListResponseSchema>;

/** One stored evaluation, for budget-over-time and burn-rate charts. */
export const SloPointSchema = z.object({
  t: z.string(),
  sli: z.number().nullable(),
  error_budget_remaining: z.number().nullable(),
  burn_rate_5m: z.number().nullable(),
  burn_rate_1h: z.number().nullable(),
  burn_rate_6h: z.number().nullable(),
  burn_rate_3d: z.number().nullable(),
  valid: z.number(),
});
export type SloPoint = z.infer<typeof SloPointSchema>;

export const SloSeriesQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type SloSeriesQuery = z.infer<typeof SloSeriesQuerySchema>;

export const SloDetailResponseSchema = z.object({
  slo: SloStatusSchema,
  from: z.string(),
  to: z.string(),
  points: z.array(SloPointSchema),
});
export type SloDetailResponse = z.infer<typeof SloDetailResponseSchema>;
