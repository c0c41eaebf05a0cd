// Black-box probe of the collector's HTTP API, part 2: hostile input on every route of its OpenAPI
// document, with a valid key of tenant a (probe-harness.ts: two tenants, data through the agents'
// export path). Each case has its wanted status and code; every answer also passes answerProblems
// (never a 5xx or a hang, never ClickHouse's text, errors as `{code, message}` with a registered
// code sent with its documented status, bounded sizes), and no answer names a tenant-b host.
// Defects this probe found (each case below failed before its fix):
// - a URL over 16 KiB: 431 with Fastify's own body, no code;
// - a path segment over 100 characters: 414 FST_ERR_MAX_PARAM_LENGTH echoing the whole URL (and a
//   host name of 101-253 characters, which ingest accepts, had no series route);
// - bad percent-encoding in a path: 400 FST_ERR_BAD_URL without a code;
// - a method a path does not have: 404 "no route" (now 405 with Allow);
// - too large, non-JSON and empty bodies: COL_ERR_API_BAD_REQUEST (documented 400) sent as 413/415,
//   and DELETE /admin/keys/:id or an ack with `content-type: application/json` and no body: 400;
// - a repeated number parameter: "expected number, received NaN"; `?hosts_limit=` read as 0;
// - a key name with a NUL stored as given.
import { connect } from 'node:net';
import { COLLECTOR_ERRORS } from '@renderwatch/collector';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { answerProblems, apiRoutes, call, pool, startProbeCollector, type Answer, type ApiRoute, type ProbeCollector } from './probe-harness.js';

let p: ProbeCollector;
let routes: ApiRoute[];
const real = { campaign: '', alert: '', slo: '' };

beforeAll(async () => {
  p = await startProbeCollector(inject('clickhouseUrl'));
  routes = await apiRoutes(p.base);
  const get = async <T>(path: string): Promise<T> => JSON.parse((await call(p.base, 'GET', path, { key: p.keys.a.viewer })).body) as T;
  real.campaign = (await get<{ rows: { id: string }[] }>('/api/v1/campaigns')).rows[0]?.id ?? '';
  real.alert = (await get<{ alerts: { fingerprint: string }[] }>('/api/v1/alerts')).alerts[0]?.fingerprint ?? '';
  real.slo = (await get<{ slos: { name: string }[] }>('/api/v1/slos')).slos[0]?.name ?? '';
});

afterAll(() => p?.stop());

const JSON_CT = { 'content-type': 'application/json' };

/** A path of `route` with tenant a's own resources, or `value` (already encoded) in every path parameter. */
function pathOf(route: ApiRoute, value?: string): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, k: string) => {
    if (value !== undefined) return value;
    if (k === 'host') return p.hosts.a[0] ?? '';
    if (k === 'name') return real.slo;
    if (k === 'fingerprint') return real.alert;
    return real.campaign;
  });
}

interface Case {
  name: string;
  answer: Answer;
  status: number;
  code?: string;
}

async function run(cases: { name: string; send: () => Promise<Answer>; status: number; code?: string }[]): Promise<Case[]> {
  const answers = await pool(
    cases.map((c) => c.send),
    4,
  );
  return cases.map((c, i) => ({ name: c.name, answer: answers[i] as Answer, status: c.status, ...(c.code === undefined ? {} : { code: c.code }) }));
}

/** Every case whose answer is not the wanted one or has a problem, with the request and what came back. */
function failures(cases: Case[]): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const why = answerProblems(c.answer, COLLECTOR_ERRORS);
    let code = '';
    try {
      code = String((JSON.parse(c.answer.body) as { code?: unknown }).code ?? '');
    } catch {
      code = c.answer.body === '' ? '' : 'not JSON';
    }
    if (c.answer.status !== c.status) why.push(`wanted ${c.status}`);
    if (c.code !== undefined && code !== c.code) why.push(`wanted ${c.code}`);
    if (c.answer.body.includes('b-secret')) why.push("shows tenant b's host");
    if (why.length > 0) out.push(`[${c.name}] ${c.answer.req} → ${c.answer.status} ${c.answer.body.slice(0, 200)}: ${why.join('; ')}`);
  }
  return out;
}

/** A POST of tenant a's admin, to run later. */
const post = (path: string, headers: Record<string, string>, body?: string) => () =>
  call(p.base, 'POST', path, { key: p.keys.a.admin, headers, ...(body === undefined ? {} : { body }) });

const BAD = 'COL_ERR_API_BAD_REQUEST';
const enc = encodeURIComponent;

// Text a filter may hold: valid (≤ 256 characters), matches nothing, and must reach ClickHouse only as a value.
const TEXT: [string, string][] = [
  ['unicode', 'é漢字🎉\u202e\u200b'],
  ['NUL and control characters', '\u0000\u0001\u001f\u007f\r\n'],
  ['SQL quote', "' OR 1=1 --"],
  ['backslash quote', "\\'"],
  ['ClickHouse parameter', '{p:String}'],
  ['LIKE wildcards and a statement', '%_%; DROP TABLE gpu_samples'],
  ['256 characters', 'h'.repeat(256)],
];
// Never a valid number, date or enum value.
const NOT_A_VALUE: [string, string][] = [
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['-1', '-1'],
  ['1e308', '1e308'],
  ['2^64', '18446744073709551616'],
  ['1.5', '1.5'],
  ['SQL quote', "' OR 1=1 --"],
  ['NUL', '\u0000'],
  ['unicode', '漢字'],
];

type Kind = 'time' | 'number' | 'enum' | 'text';
function kindOf(s: ApiRoute['query'][number]['schema']): Kind {
  if (s.format === 'date-time') return 'time';
  if (s.type === 'integer' || s.type === 'number') return 'number';
  if (s.enum !== undefined) return 'enum';
  return 'text';
}

describe('probe: hostile input on every route', () => {
  it('every query parameter of every route: invalid values 400 naming it, filter text 200 with nothing, 100 kB 431, repeated or empty 400', async () => {
    expect(real.campaign).not.toBe('');
    expect(real.alert).toMatch(/^[0-9a-f]{16}$/);
    const cases: Parameters<typeof run>[0] = [];
    let params = 0;
    // DELETE /admin/keys/{id} and POST /admin/keys change keys: their input is probed below
    for (const r of routes.filter((x) => !x.path.startsWith('/api/v1/admin/keys') || x.method === 'GET')) {
      const base = pathOf(r);
      const send = (qs: string) => () => call(p.base, r.method, `${base}?${qs}`, { key: p.keys.a.admin });
      for (const q of r.query) {
        params++;
        const kind = kindOf(q.schema);
        // text filters take any text (each value reaches ClickHouse as a parameter and matches nothing); the rest takes none of these
        if (kind !== 'text')
          for (const [n, v] of NOT_A_VALUE) cases.push({ name: `${q.name}=${n}`, send: send(`${q.name}=${enc(v)}`), status: 400, code: BAD });
        if (kind === 'text') for (const [n, v] of TEXT) cases.push({ name: `${q.name}=${n}`, send: send(`${q.name}=${enc(v)}`), status: 200 });
        if (kind === 'text') cases.push({ name: `${q.name}=257 characters`, send: send(`${q.name}=${'h'.repeat(257)}`), status: 400, code: BAD });
        if (kind === 'number' && (q.schema.minimum ?? 1) > 0) cases.push({ name: `${q.name}=0`, send: send(`${q.name}=0`), status: 400, code: BAD });
        cases.push({ name: `${q.name} empty`, send: send(`${q.name}=`), status: 400, code: BAD });
        cases.push({ name: `${q.name} twice`, send: send(`${q.name}=1&${q.name}=2`), status: 400, code: BAD });
        cases.push({ name: `${q.name} 100 kB`, send: send(`${q.name}=${'x'.repeat(100_000)}`), status: 431, code: 'COL_ERR_API_HEADERS_TOO_LARGE' });
      }
      // from/to are checked on every route, documented or not; unknown parameters are ignored
      cases.push({ name: 'to year 0', send: send('to=0000-01-01T00%3A00%3A00Z'), status: 400, code: BAD });
      cases.push({ name: 'to year 9999', send: send('to=9999-12-31T23%3A59%3A59Z'), status: 400, code: BAD });
      cases.push({ name: 'to before from', send: send('from=2026-01-02T00%3A00%3A00Z&to=2026-01-01T00%3A00%3A00Z'), status: 400, code: BAD });
      cases.push({
        name: '10 years',
        send: send('from=2015-01-01T00%3A00%3A00Z&to=2025-01-01T00%3A00%3A00Z'),
        status: 400,
        code: 'COL_ERR_API_RANGE_TOO_LARGE',
      });
      cases.push({ name: 'unknown parameter', send: send('zzz=1'), status: 200 });
    }
    const done = await run(cases);
    expect(params).toBeGreaterThanOrEqual(40);
    expect(done.length).toBeGreaterThan(600);
    expect(failures(done)).toEqual([]);
    // the messages say what to do
    const message = (name: string): string => (JSON.parse(done.find((c) => c.name === name)?.answer.body ?? '{}') as { message?: string }).message ?? '';
    expect(message('limit twice')).toBe('the request parameters are invalid: limit is given 2 times; give each parameter once');
    expect(message('limit=NaN')).toBe('the request parameters are invalid: limit: not a finite number (got "NaN")');
    expect(message('hosts_limit empty')).toBe('the request parameters are invalid: hosts_limit is empty; give a value or leave the parameter out');
    expect(message('host 100 kB')).toBe(
      'the request URL and headers are too large: the URL and headers together exceed 16 KiB; shorten the query string (filter values are at most 256 characters)',
    );
  });

  it('every path parameter: text up to its limit answers, longer or malformed is a 400 with a code, never the router', async () => {
    const cases: Parameters<typeof run>[0] = [];
    for (const r of routes.filter((x) => x.path.includes('{') && x.method !== 'DELETE')) {
      const param = /\{(\w+)\}/.exec(r.path)?.[1] ?? '';
      const body = r.method === 'POST' ? { headers: JSON_CT, body: '{}' } : {};
      const send = (v: string) => () => call(p.base, r.method, pathOf(r, v), { key: p.keys.a.operator, ...body });
      // host: any text up to 256 characters (a 253-character host name too); id: up to 128; name and fingerprint: a pattern
      const free = param === 'host' ? 256 : param === 'id' ? 128 : 0;
      const unknown = param === 'host' ? 200 : 404;
      for (const [n, v] of [...TEXT, ['253-character host name', 'h'.repeat(253)] as [string, string]]) {
        const fits = free > 0 && v.length <= free;
        cases.push({
          name: `${param}=${n}`,
          send: send(enc(v)),
          status: fits ? unknown : 400,
          ...(fits && unknown === 200 ? {} : { code: fits ? 'COL_ERR_API_NOT_FOUND' : BAD }),
        });
      }
      cases.push({ name: `${param}=2,000 characters`, send: send('y'.repeat(2000)), status: 400, code: BAD });
      cases.push({ name: `${param}=15,000 characters`, send: send('y'.repeat(15_000)), status: 400, code: BAD });
      cases.push({ name: `${param}=100 kB`, send: send('y'.repeat(100_000)), status: 431, code: 'COL_ERR_API_HEADERS_TOO_LARGE' });
      cases.push({ name: `${param}=bad UTF-8`, send: send('%ED%A0%80'), status: 400, code: BAD });
      cases.push({ name: `${param}=cut escape`, send: send('%E0%A4%A'), status: 400, code: BAD });
      cases.push({
        name: `${param}=encoded slash`,
        send: send('a%2Fb'),
        status: free > 0 ? unknown : 400,
        ...(unknown === 200 && free > 0 ? {} : { code: free > 0 ? 'COL_ERR_API_NOT_FOUND' : BAD }),
      });
      cases.push({ name: `${param} empty`, send: send(''), status: 400, code: BAD });
    }
    const done = await run(cases);
    expect(done.length).toBe(5 * 15);
    expect(failures(done)).toEqual([]);
    const msg = JSON.parse(done.find((c) => c.name === 'host=bad UTF-8')?.answer.body ?? '{}') as { message?: string };
    expect(msg.message).toBe('the request parameters are invalid: the path "/api/v1/hosts/%ED%A0%80/series" is not valid percent-encoded UTF-8');
  });

  it('a method a route does not have: 405 with Allow, on every path; HEAD of a GET route answers without a body', async () => {
    const byPath = new Map<string, string[]>();
    for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.method]);
    const cases: Parameters<typeof run>[0] = [];
    const allows: [string, string][] = [];
    for (const [path, methods] of byPath) {
      const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
      for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((x) => !methods.includes(x))) {
        const r = { method: m, path, query: [] };
        cases.push({
          name: `${m} ${path}`,
          send: () => call(p.base, m, pathOf(r), { key: p.keys.a.admin }),
          status: 405,
          code: 'COL_ERR_API_METHOD_NOT_ALLOWED',
        });
        allows.push([`${m} ${path}`, allow]);
      }
      if (methods.includes('GET'))
        cases.push({
          name: `HEAD ${path}`,
          send: () => call(p.base, 'HEAD', pathOf({ method: 'HEAD', path, query: [] }), { key: p.keys.a.admin }),
          status: 200,
        });
    }
    cases.push({
      name: 'unknown route',
      send: () => call(p.base, 'GET', `/api/v1/${'z'.repeat(5000)}`, { key: p.keys.a.admin }),
      status: 404,
      code: 'COL_ERR_API_NOT_FOUND',
    });
    const done = await run(cases);
    expect(done.length).toBeGreaterThan(100);
    expect(failures(done)).toEqual([]);
    const wrongAllow = allows.filter(([name, allow]) => done.find((c) => c.name === name)?.answer.headers.get('allow') !== allow);
    expect(wrongAllow).toEqual([]);
    expect(done.filter((c) => c.name.startsWith('HEAD ') && c.answer.body !== '').map((c) => c.name)).toEqual([]);
    expect(JSON.parse(done.find((c) => c.name === 'POST /api/v1/fleet')?.answer.body ?? '{}')).toEqual({
      code: 'COL_ERR_API_METHOD_NOT_ALLOWED',
      message: 'this method is not allowed on this route: POST /api/v1/fleet; use GET or HEAD',
    });
    // the unknown route's message quotes at most 120 characters of the path
    expect((JSON.parse(done.at(-1)?.answer.body ?? '{}') as { message: string }).message).toBe(
      `no route GET /api/v1/${'z'.repeat(112)}… (5008 characters) (the routes are listed at /openapi.json)`,
    );
  });

  it('what is not HTTP, or has 20 KB of headers: a status line and a JSON body with a code, then the connection closes', async () => {
    const raw = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = connect(Number(new URL(p.base).port), '127.0.0.1', () => sock.write(text));
        let got = '';
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => (got += d));
        sock.on('close', () => resolve(got));
        sock.on('error', reject);
        sock.setTimeout(10_000, () => sock.destroy(new Error('HANG')));
      });
    const answers = [
      await raw('GARBAGE\r\n\r\n'),
      await raw(`GET /api/v1/fleet HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.keys.a.viewer}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
      await raw('GET /api/v1/fleet HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
    ].map((a) => [a.split('\r\n')[0], a.slice(a.indexOf('\r\n\r\n') + 4)]);
    expect(answers).toEqual([
      ['HTTP/1.1 400 Bad Request', JSON.stringify({ code: BAD, message: 'the request parameters are invalid: the request is not valid HTTP/1.1' })],
      [
        'HTTP/1.1 431 Request Header Fields Too Large',
        JSON.stringify({
          code: 'COL_ERR_API_HEADERS_TOO_LARGE',
          message:
            'the request URL and headers are too large: the URL and headers together exceed 16 KiB; shorten the query string (filter values are at most 256 characters)',
        }),
      ],
      ['HTTP/1.1 400 Bad Request', JSON.stringify({ code: BAD, message: 'the request parameters are invalid: the request is not valid HTTP/1.1' })],
    ]);
  });

  it('bodies of the POST and DELETE routes: malformed, wrong type, too large, poisoned → the code for each; an empty JSON body is no body', async () => {
    const keyId = async (): Promise<string> =>
      (
        JSON.parse(
          (await call(p.base, 'POST', '/api/v1/admin/keys', { key: p.keys.a.admin, headers: JSON_CT, body: '{"name":"to-revoke","role":"viewer"}' })).body,
        ) as { id: string }
      ).id;
    const KEYS = '/api/v1/admin/keys';
    const ACK = `/api/v1/alerts/${real.alert}/ack`;
    const cases: Parameters<typeof run>[0] = [];
    for (const path of [KEYS, ACK]) {
      const ok = path === KEYS ? 201 : 200;
      const valid = path === KEYS ? '{"name":"probe","role":"viewer"}' : '{"by":"probe","comment":"looking"}';
      const t = path === KEYS ? 'keys' : 'ack';
      cases.push(
        { name: `${t} valid`, send: post(path, JSON_CT, valid), status: ok },
        { name: `${t} malformed JSON`, send: post(path, JSON_CT, '{"name":'), status: 400, code: BAD },
        { name: `${t} deep JSON`, send: post(path, JSON_CT, `${'['.repeat(50_000)}${']'.repeat(50_000)}`), status: 400, code: BAD },
        { name: `${t} null`, send: post(path, JSON_CT, 'null'), status: 400, code: BAD },
        { name: `${t} array`, send: post(path, JSON_CT, '[]'), status: 400, code: BAD },
        { name: `${t} number`, send: post(path, JSON_CT, '1'), status: 400, code: BAD },
        { name: `${t} __proto__`, send: post(path, JSON_CT, `{"__proto__":{"role":"admin"},${valid.slice(1)}`), status: 400, code: BAD },
        { name: `${t} constructor.prototype`, send: post(path, JSON_CT, `{"constructor":{"prototype":{"x":1}},${valid.slice(1)}`), status: 400, code: BAD },
        {
          name: `${t} 2 MB`,
          send: post(path, JSON_CT, JSON.stringify({ name: 'x'.repeat(2_000_000), by: 'x' })),
          status: 413,
          code: 'COL_ERR_API_BODY_TOO_LARGE',
        },
        { name: `${t} text/plain`, send: post(path, { 'content-type': 'text/plain' }, valid), status: 415, code: 'COL_ERR_API_UNSUPPORTED_MEDIA_TYPE' },
        {
          name: `${t} form`,
          send: post(path, { 'content-type': 'application/x-www-form-urlencoded' }, 'name=x&role=viewer'),
          status: 415,
          code: 'COL_ERR_API_UNSUPPORTED_MEDIA_TYPE',
        },
        // JSON is UTF-8 whatever the charset says (RFC 8259)
        { name: `${t} JSON with a charset`, send: post(path, { 'content-type': 'application/json; charset=latin1' }, valid), status: ok },
        {
          name: `${t} 100 kB field`,
          send: post(path, JSON_CT, JSON.stringify({ name: 'x'.repeat(100_000), role: 'viewer', by: 'x'.repeat(100_000) })),
          status: 400,
          code: BAD,
        },
      );
    }
    cases.push(
      { name: 'keys empty JSON body', send: post(KEYS, JSON_CT, ''), status: 400, code: BAD },
      { name: 'keys unknown role', send: post(KEYS, JSON_CT, '{"name":"x","role":"root"}'), status: 400, code: BAD },
      { name: 'keys NUL in name', send: post(KEYS, JSON_CT, '{"name":"a\\u0000b","role":"viewer"}'), status: 400, code: BAD },
      { name: 'keys newline in name', send: post(KEYS, JSON_CT, '{"name":"a\\nb","role":"viewer"}'), status: 400, code: BAD },
      { name: 'keys unicode name', send: post(KEYS, JSON_CT, '{"name":"rendu été 漢字","role":"viewer"}'), status: 201 },
      { name: 'ack by a number', send: post(ACK, JSON_CT, '{"by":1}'), status: 400, code: BAD },
      // clients that send the JSON content type on every request: an empty body is no body
      { name: 'ack empty JSON body', send: post(ACK, JSON_CT, ''), status: 200 },
      { name: 'ack no body', send: post(ACK, {}), status: 200 },
      {
        name: 'revoke with JSON content type',
        send: async () => call(p.base, 'DELETE', `${KEYS}/${await keyId()}`, { key: p.keys.a.admin, headers: JSON_CT }),
        status: 200,
      },
      {
        name: 'revoke with a body',
        send: async () => call(p.base, 'DELETE', `${KEYS}/${await keyId()}`, { key: p.keys.a.admin, headers: JSON_CT, body: '{}' }),
        status: 200,
      },
      { name: 'POST to a key', send: post(`${KEYS}/${'f'.repeat(16)}`, JSON_CT, '{}'), status: 405, code: 'COL_ERR_API_METHOD_NOT_ALLOWED' },
      { name: 'revoke malformed id', send: () => call(p.base, 'DELETE', `${KEYS}/${enc("' OR 1=1")}`, { key: p.keys.a.admin }), status: 400, code: BAD },
      {
        name: 'revoke missing id',
        send: () => call(p.base, 'DELETE', `${KEYS}/${'f'.repeat(16)}`, { key: p.keys.a.admin }),
        status: 404,
        code: 'COL_ERR_API_NOT_FOUND',
      },
    );
    const done = await run(cases);
    expect(failures(done)).toEqual([]);
    const msg = (name: string): string => (JSON.parse(done.find((c) => c.name === name)?.answer.body ?? '{}') as { message?: string }).message ?? '';
    expect(msg('keys 2 MB')).toBe('the request body is too large: the body is larger than 1 MiB; send a smaller JSON body');
    expect(msg('keys text/plain')).toBe(
      'the request body is not JSON: "text/plain" is not accepted; send the body as JSON with content-type: application/json',
    );
    expect(msg('keys NUL in name')).toBe('the request parameters are invalid: name: control characters are not allowed');
    expect(msg('keys empty JSON body')).toBe('the request parameters are invalid: (root): a JSON object is required (the body is missing or null)');
    // the acknowledgement without a body is the key's role's
    expect(
      (JSON.parse(done.find((c) => c.name === 'ack no body')?.answer.body ?? '{}') as { alert?: { acknowledged_by?: string } }).alert?.acknowledged_by,
    ).toBe('admin');
  });
});
