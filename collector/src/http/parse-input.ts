import type { z } from 'zod';
import { AppError } from '../errors.js';

/** The value at `path` of the input when it is text, as shown in a message: quoted, at most 40 characters. */
function given(input: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = input;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  if (typeof v !== 'string') return '';
  return ` (got ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
}

/** zod's wording for a number parameter that is not one ("expected number, received NaN"), said plainly. */
function wording(i: z.core.$ZodIssue, input: unknown): string {
  if (i.path.length === 0 && i.code === 'invalid_type' && (input === null || input === undefined))
    return 'a JSON object is required (the body is missing or null)';
  if (i.code === 'invalid_type' && i.expected === 'number') return 'not a finite number';
  if (i.code === 'invalid_type' && i.expected === 'int') return 'not a whole number';
  return i.message;
}

/**
 * Validates request input with a shared @renderwatch/schema zod schema; a bad value is a 400 naming
 * the field, what is wrong and the text given (`limit: not a finite number (got "abc")`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${wording(i, input)}${given(input, i.path)}`).join('; ');
    throw new AppError('COL_ERR_API_BAD_REQUEST', detail);
  }
  return r.data;
}
