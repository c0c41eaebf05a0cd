// Labels and "what to try" per OOM cause, from @renderwatch/schema (schema/src/oom-advice.ts, one
// entry per cause). The collector sends the advice for the causes in its answer; the schema's table is
// the fallback, so every cause always has a line.
import { OOM_ADVICE, OOM_CAUSE_LABELS, oomAdviceFor, type OomAdvice } from '@renderwatch/schema';

export const WHAT_TO_TRY: Readonly<Record<string, string>> = OOM_ADVICE;

export function adviceFor(cause: string, fromApi: OomAdvice[]): string {
  return fromApi.find((a) => a.cause === cause)?.what_to_try ?? oomAdviceFor(cause);
}

export const CAUSE_TEXT: Readonly<Record<string, string>> = OOM_CAUSE_LABELS;
