// Typed fetch client: every response is parsed with a @renderwatch/schema zod schema at this
// boundary; failures come back as values ({ ok: false, error }), never as thrown exceptions.
import { ApiErrorSchema } from '@renderwatch/schema';
import type { z } from 'zod';
import { takePrefetched } from './prefetch.js';
import { buildUrl, type QueryValue } from './url.js';

export interface ApiFailure {
  /** `COL_ERR_*` from the collector, or `UI_ERR_*` for failures seen only in the browser. */
  code: string;
  message: string;
  /** HTTP status; 0 when the request never got an answer. */
  status: number;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

export { buildUrl, type QueryValue } from './url.js';

export interface ApiClient {
  get<S extends z.ZodType>(path: string, schema: S, query?: Record<string, QueryValue>): Promise<ApiResult<z.infer<S>>>;
  post<S extends z.ZodType>(path: string, schema: S, body: unknown): Promise<ApiResult<z.infer<S>>>;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Current API key (entered by the user); undefined when none is set. */
  getKey: () => string | undefined;
  fetch?: typeof fetch;
}

/** True when the collector has no such route (an older collector than this dashboard). */
export function isNotAvailable(e: ApiFailure): boolean {
  return e.status === 404 && e.code === 'COL_ERR_API_NOT_FOUND';
}

async function readFailure(res: Response): Promise<ApiFailure> {
  const text = await res.text();
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { ...parsed.data, status: res.status };
  } catch {
    // not JSON: fall through to a generic failure carrying the status line
  }
  return { code: 'UI_ERR_HTTP', message: `${res.status} ${res.statusText}`.trim(), status: res.status };
}

export function createApiClient(o: ApiClientOptions): ApiClient {
  const doFetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  async function request<S extends z.ZodType>(url: string, schema: S, init: RequestInit): Promise<ApiResult<z.infer<S>>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const key = o.getKey();
    if (key !== undefined && key !== '') headers['authorization'] = `Bearer ${key}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      // The entry may have asked already (route prefetch): that answer is read here, once.
      res = await ((init.method === 'GET' ? takePrefetched(url, key) : undefined) ?? doFetch(url, { ...init, headers }));
    } catch (err: unknown) {
      return { ok: false, error: { code: 'UI_ERR_NETWORK', message: `collector unreachable: ${err instanceof Error ? err.message : String(err)}`, status: 0 } };
    }
    if (!res.ok) return { ok: false, error: await readFailure(res) };
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      return { ok: false, error: { code: 'UI_ERR_BAD_JSON', message: `response of ${url} is not JSON`, status: res.status } };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first === undefined ? '' : ` at ${first.path.join('.') || '(root)'}: ${first.message}`;
      return { ok: false, error: { code: 'UI_ERR_SCHEMA', message: `unexpected response shape${where}`, status: res.status } };
    }
    return { ok: true, data: parsed.data };
  }
  return {
    get: (path, schema, query) => request(buildUrl(o.baseUrl, path, query), schema, { method: 'GET' }),
    post: (path, schema, body) => request(buildUrl(o.baseUrl, path), schema, { method: 'POST', body: JSON.stringify(body ?? {}) }),
  };
}
