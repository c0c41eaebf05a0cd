// A fetch stand-in for component tests: routes by pathname, records every call (URL and headers).
export interface StubResponse {
  status?: number;
  body: unknown;
}

export type StubRoute = StubResponse | ((url: URL, init: RequestInit | undefined) => StubResponse);

export interface StubFetch {
  fetch: typeof fetch;
  calls: { url: URL; method: string; headers: Record<string, string>; body: string | undefined }[];
  routes: Map<string, StubRoute>;
}

const NOT_FOUND = (path: string): StubResponse => ({ status: 404, body: { code: 'COL_ERR_API_NOT_FOUND', message: `no route GET ${path}` } });

/** Keys are `GET /api/v1/fleet` or just `/api/v1/fleet` (any method). Unknown paths answer the collector's 404. */
export function createStubFetch(routes: Record<string, StubRoute>): StubFetch {
  const map = new Map(Object.entries(routes));
  const calls: StubFetch['calls'] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = init?.method ?? 'GET';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, method, headers, body: typeof init?.body === 'string' ? init.body : undefined });
    const route = map.get(`${method} ${url.pathname}`) ?? map.get(url.pathname);
    const r = route === undefined ? NOT_FOUND(url.pathname) : typeof route === 'function' ? route(url, init) : route;
    return new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fetchImpl as typeof fetch, calls, routes: map };
}
