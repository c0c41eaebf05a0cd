// One guard for the time parameters of every API route, before any route code runs: `from` and
// `to` must be ISO-8601 instants between 1970-01-01 and 2100-01-01 (the DateTime range of
// ClickHouse is 1970-2105; a year-0 or year-9999 date used to reach it and come back as a 500
// quoting DB::Exception), `from` before `to`, and the range at most COLLECTOR_API_MAX_RANGE_DAYS.
// Each refusal is a 400 that says what is allowed. Routes keep their own, tighter caps. A parameter
// given twice or with an empty value is refused here too, for every route.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

export const MIN_TIME_MS = Date.UTC(1970, 0, 1);
export const MAX_TIME_MS = Date.UTC(2100, 0, 1);
/** Routes default to ranges ending now; a range with only `to` starts an hour before it. */
const DEFAULT_RANGE_MS = 3600_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function instant(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' && ISO.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms >= MAX_TIME_MS) {
    const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : 'a list';
    throw new AppError(
      'COL_ERR_API_BAD_REQUEST',
      `${name}: ${shown} is not allowed; give an ISO-8601 time between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z`,
    );
  }
  return ms;
}

/** Checks `from`/`to` of a query string; throws the 400 described above. */
export function checkTimeParams(query: unknown, nowMs: number, maxRangeDays: number): void {
  if (typeof query !== 'object' || query === null) return;
  const q = query as Record<string, unknown>;
  // `?host=a&host=b` parses as a list: every parameter of the API is one value, so say which was repeated
  // (the routes' own check said "expected number, received NaN" for a repeated limit).
  const repeated = Object.keys(q).find((k) => Array.isArray(q[k]));
  if (repeated !== undefined) {
    throw new AppError('COL_ERR_API_BAD_REQUEST', `${repeated.slice(0, 40)} is given ${(q[repeated] as unknown[]).length} times; give each parameter once`);
  }
  // `?hosts_limit=` was read as 0 and `?host=` refused with "Too small": an empty value is never meant.
  const empty = Object.keys(q).find((k) => q[k] === '');
  if (empty !== undefined) throw new AppError('COL_ERR_API_BAD_REQUEST', `${empty.slice(0, 40)} is empty; give a value or leave the parameter out`);
  const from = instant('from', q.from);
  const to = instant('to', q.to);
  if (from === undefined && to === undefined) return;
  const t = to ?? nowMs;
  const f = from ?? t - DEFAULT_RANGE_MS;
  if (!(f < t)) throw new AppError('COL_ERR_API_BAD_REQUEST', 'from must be before to');
  if (t - f > maxRangeDays * 86_400_000) {
    throw new AppError(
      'COL_ERR_API_RANGE_TOO_LARGE',
      `range is ${Math.ceil((t - f) / 86_400_000)} days; at most ${maxRangeDays} days are allowed (COLLECTOR_API_MAX_RANGE_DAYS)`,
    );
  }
}

/** Runs checkTimeParams for every /api/ request of `app` (registered before the routes' handlers run). */
export function registerTimeGuard(app: FastifyInstance, o: { now: () => number; maxRangeDays: number }): void {
  app.addHook('preHandler', async (req) => {
    if (req.url.startsWith('/api/')) checkTimeParams(req.query, o.now(), o.maxRangeDays);
  });
}
