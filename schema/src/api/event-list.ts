import { z } from 'zod';
import { RUNTIME_EVENT_KINDS } from '../events.js';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/events: runtime events, newest first. */
export const EventListQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
  kind: z.enum(RUNTIME_EVENT_KINDS).optional(),
  runtime: FilterValueSchema.optional(),
  model: FilterValueSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type EventListQuery = z.infer<typeof EventListQuerySchema>;

/** A field value of an event as stored (absent fields are omitted, never invented). */
export const EventFieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const EventRowSchema = z.object({
  ts: z.string(),
  host: z.string(),
  kind: z.enum(RUNTIME_EVENT_KINDS),
  runtime: z.string(),
  gpu_index: z.number().nullable(),
  /** The event's own fields in docs/design.md's snake_case names, e.g. `duration_s`, `outcome`. */
  fields: z.record(z.string(), EventFieldValueSchema),
});
export type EventRow = z.infer<typeof EventRowSchema>;

export const EventListResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  events: z.array(EventRowSchema),
  /** true when `limit` cut the list. */
  truncated: z.boolean(),
});
export type EventListResponse = z.infer<typeof EventListResponseSchema>;
