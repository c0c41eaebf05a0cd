import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Validates request input with a shared @renderwatch/schema zod schema; a bad value is a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('COL_ERR_API_BAD_REQUEST', detail);
  }
  return r.data;
}
