// Answers asked for ahead of the page: the entry starts a route's main GET requests before React,
// the zod schemas and the page chunk are evaluated (app/route-data.ts), so the collector's query
// runs while the browser is busy with code. The API client takes such an answer instead of asking
// again — once, within MAX_AGE_MS — when it is the same request: same path, key and parameters, and
// the same time window or the same window shifted later by at most MAX_AGE_MS (a preset range
// "ending now" that the page computes a moment after the entry did). The answer then goes through
// the client's usual checks (status, JSON, schema).

export const MAX_AGE_MS = 20_000;

interface Pending {
  url: string;
  key: string | undefined;
  at: number;
  response: Promise<Response>;
}

const pending: Pending[] = [];

/** Starts `url` now (GET, the headers the client sends) and keeps the answer for the client. */
export function prefetch(url: string, key: string | undefined, doFetch: typeof fetch = (i, o) => globalThis.fetch(i, o), now = Date.now()): void {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== undefined && key !== '') headers['authorization'] = `Bearer ${key}`;
  const response = doFetch(url, { method: 'GET', headers });
  // A failure is the client's to report when it takes the answer; never an unhandled rejection.
  response.catch(() => undefined);
  pending.push({ url, key: key === '' ? undefined : key, at: now, response });
}

/** The prefetched answer for this request, removed from the store; undefined when there is none. */
export function takePrefetched(url: string, key: string | undefined, now = Date.now()): Promise<Response> | undefined {
  const k = key === '' ? undefined : key;
  for (let i = pending.length - 1; i >= 0; i--) if (now - (pending[i]?.at ?? 0) > MAX_AGE_MS) pending.splice(i, 1);
  const i = pending.findIndex((p) => p.key === k && sameRequest(p.url, url));
  if (i < 0) return undefined;
  return pending.splice(i, 1)[0]?.response;
}

/** Drops every kept answer (tests; a new API key). */
export function clearPrefetched(): void {
  pending.length = 0;
}

const WINDOW = new Set(['from', 'to']);

/** The query without the window, in a fixed order. */
function rest(u: URL): string {
  return [...u.searchParams]
    .filter(([k]) => !WINDOW.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join('&');
}

/**
 * `earlier` (prefetched) answers `later`: same path and parameters, and `from`/`to` either equal or
 * both moved later by the same amount, at most MAX_AGE_MS.
 */
export function sameRequest(earlier: string, later: string): boolean {
  const a = new URL(earlier, 'http://same.origin');
  const b = new URL(later, 'http://same.origin');
  if (a.origin !== b.origin || a.pathname !== b.pathname) return false;
  if (rest(a) !== rest(b)) return false;
  const shift = (k: string): number | undefined => {
    const x = a.searchParams.get(k);
    const y = b.searchParams.get(k);
    if (x === null && y === null) return 0;
    if (x === null || y === null) return undefined;
    const d = Date.parse(y) - Date.parse(x);
    return Number.isFinite(d) ? d : x === y ? 0 : undefined;
  };
  const df = shift('from');
  const dt = shift('to');
  if (df === undefined || dt === undefined) return false;
  const windowed = a.searchParams.has('from') && a.searchParams.has('to');
  return windowed ? df === dt && df >= 0 && df <= MAX_AGE_MS : df === 0 && dt === 0;
}
