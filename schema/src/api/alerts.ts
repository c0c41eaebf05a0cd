import { z } from 'zod';

// Alert DTOs of the HTTP API (`/api/v1/alerts`). An alert's identity is its fingerprint: a hash of
// its tenant and label set, the same on every collector replica.

export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export const AlertStateSchema = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof AlertStateSchema>;

export const ALERT_SOURCES = ['slo', 'rule'] as const;
export const AlertSourceSchema = z.enum(ALERT_SOURCES);
export type AlertSource = z.infer<typeof AlertSourceSchema>;

export const AlertSchema = z.object({
  fingerprint: z.string(),
  alertname: z.string(),
  severity: z.string(),
  source: AlertSourceSchema,
  /** SLO name or alert-rule name that produced the alert */
  rule: z.string(),
  state: AlertStateSchema,
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** the measured value when last evaluated (burn rate, °C, fill ratio, count) */
  value: z.number().nullable(),
  /** when the condition was first seen (pending since) */
  active_at: z.string(),
  fired_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  updated_at: z.string(),
  acknowledged_by: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  generator_url: z.string(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const AlertListQuerySchema = z.object({
  /** one state, or `active` (pending + firing); default: all */
  state: z.enum([...ALERT_STATES, 'active']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

export const AlertListResponseSchema = z.object({
  generated_at: z.string(),
  alerts: z.array(AlertSchema),
});
export type AlertListResponse = z.infer<typeof AlertListResponseSchema>;

/** One state change of an alert (history). */
export const AlertTransitionSchema = z.object({
  fingerprint: z.string(),
  alertname: z.string(),
  t: z.string(),
  from_state: z.string(),
  to_state: z.string(),
  value: z.number().nullable(),
});
export type AlertTransition = z.infer<typeof AlertTransitionSchema>;

export const AlertHistoryResponseSchema = z.object({
  fingerprint: z.string(),
  transitions: z.array(AlertTransitionSchema),
});
export type AlertHistoryResponse = z.infer<typeof AlertHistoryResponseSchema>;

/** Body of `POST /api/v1/alerts/:fingerprint/ack` (operator role). */
export const AlertAckRequestSchema = z.object({
  /** who acknowledges (shown in the list); default: the role of the API key */
  by: z.string().min(1).max(200).optional(),
  comment: z.string().max(1000).optional(),
});
export type AlertAckRequest = z.infer<typeof AlertAckRequestSchema>;

export const AlertAckResponseSchema = z.object({ alert: AlertSchema });
export type AlertAckResponse = z.infer<typeof AlertAckResponseSchema>;
