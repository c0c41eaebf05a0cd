// Black-box probe of the collector's HTTP API, part 1: keys, roles and tenants. A real collector with
// two tenants filled through the agents' export path (probe-harness.ts), every /api/ route of its
// OpenAPI document (checked against the routes registered in collector/src/http/routes/*.ts):
// - no key, a wrong, revoked or malformed key, a key in the query string → 401 with its code, also
//   when the rest of the request is wrong too (bad dates, bad JSON, wrong method, unknown route) —
//   the key is checked first (before: 400s told a caller without a key which parameters are wrong);
// - each role of each tenant on each route → the status the role table of docs/api.md says;
// - tenant b's keys on tenant a's host, campaign, alert and key → nothing of tenant a, and no answer
//   to either tenant names a host, campaign or alert of the other.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLLECTOR_ERRORS } from '@renderwatch/collector';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  answerProblems,
  apiRoutes,
  call,
  pool,
  startProbeCollector,
  type Answer,
  type ApiRoute,
  type ProbeCollector,
  type Role,
  type Tenant,
} from './probe-harness.js';

const ROUTES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'collector', 'src', 'http', 'routes');

let p: ProbeCollector;
let routes: ApiRoute[];
/** Per tenant: a campaign id, a firing alert's fingerprint, an SLO name, from its own answers. */
const own: Record<Tenant, { campaign: string; alert: string; slo: string }> = {
  a: { campaign: '', alert: '', slo: '' },
  b: { campaign: '', alert: '', slo: '' },
};

async function json<T>(path: string, key: string): Promise<T> {
  const a = await call(p.base, 'GET', path, { key });
  if (a.status !== 200) throw new Error(`${a.req}: ${a.status} ${a.body}`);
  return JSON.parse(a.body) as T;
}

beforeAll(async () => {
  p = await startProbeCollector(inject('clickhouseUrl'));
  routes = await apiRoutes(p.base);
  for (const t of ['a', 'b'] as const) {
    const k = p.keys[t].viewer;
    own[t].campaign = (await json<{ rows: { id: string }[] }>('/api/v1/campaigns', k)).rows[0]?.id ?? '';
    own[t].alert = (await json<{ alerts: { fingerprint: string }[] }>('/api/v1/alerts', k)).alerts[0]?.fingerprint ?? '';
    own[t].slo = (await json<{ slos: { name: string }[] }>('/api/v1/slos', k)).slos[0]?.name ?? '';
  }
});

afterAll(() => p?.stop());

/** A concrete path of `route` for tenant `t`'s own resources (`keyId` for DELETE /admin/keys/{id}). */
function pathOf(route: ApiRoute, t: Tenant, keyId = 'ffffffffffffffff'): string {
  return route.path
    .replace('{host}', p.hosts[t][0] ?? '')
    .replace('{name}', own[t].slo)
    .replace('{fingerprint}', own[t].alert)
    .replace('{id}', route.path.startsWith('/api/v1/admin/keys') ? keyId : own[t].campaign);
}

const BODY: Record<string, string> = {
  'POST /api/v1/admin/keys': '{"name":"probe","role":"viewer"}',
  'POST /api/v1/alerts/{fingerprint}/ack': '{"by":"probe"}',
};

function problemsOf(answers: Answer[], want: (a: Answer, i: number) => string | undefined): string[] {
  const out: string[] = [];
  answers.forEach((a, i) => {
    const why = [...answerProblems(a, COLLECTOR_ERRORS), ...[want(a, i)].filter((x): x is string => x !== undefined)];
    if (why.length > 0) out.push(`${a.req} → ${a.status} ${a.body.slice(0, 160)}: ${why.join('; ')}`);
  });
  return out;
}

const codeOf = (a: Answer): string => {
  try {
    return String((JSON.parse(a.body) as { code?: unknown }).code);
  } catch {
    return 'not JSON';
  }
};

// The role table of docs/api.md: viewers read, operators also acknowledge alerts, admins also manage keys.
const allowed = (r: ApiRoute, role: Role): number => {
  if (r.path.startsWith('/api/v1/admin/keys')) return role === 'admin' ? (r.method === 'POST' ? 201 : 200) : 403;
  if (r.path.endsWith('/ack')) return role === 'viewer' ? 403 : 200;
  return 200;
};

describe('probe: keys, roles and tenants on every route', () => {
  it('probes every route registered in collector/src/http/routes (the OpenAPI document lists them all)', () => {
    const registered = new Set<string>();
    for (const f of readdirSync(ROUTES_DIR).filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts'))) {
      for (const m of readFileSync(join(ROUTES_DIR, f), 'utf8').matchAll(/\.(get|post|put|delete|patch)\(\s*'(\/api\/[^']+)'/g)) {
        registered.add(`${(m[1] as string).toUpperCase()} ${(m[2] as string).replace(/:(\w+)/g, '{$1}')}`);
      }
    }
    expect(registered.size).toBeGreaterThanOrEqual(25);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`))).toEqual(registered);
    expect(own.a.campaign).not.toBe('');
    expect(own.a.alert).toMatch(/^[0-9a-f]{16}$/);
    expect(own.b.alert).toMatch(/^[0-9a-f]{16}$/);
  });

  it('without a usable key: 401 with its code on every route, whatever else is wrong with the request', async () => {
    const revoked = JSON.parse(
      (
        await call(p.base, 'POST', '/api/v1/admin/keys', {
          key: p.keys.a.admin,
          headers: { 'content-type': 'application/json' },
          body: BODY['POST /api/v1/admin/keys'],
        })
      ).body,
    ) as {
      id: string;
      key: string;
    };
    expect((await call(p.base, 'DELETE', `/api/v1/admin/keys/${revoked.id}`, { key: p.keys.a.admin })).status).toBe(200);
    const k = p.keys.a.admin;
    // [name, headers, query string, wanted code]
    const CASES: [string, Record<string, string>, string, string][] = [
      ['no key', {}, '', 'COL_ERR_AUTH_MISSING'],
      ['unknown key', { authorization: `Bearer rwk_${'0'.repeat(16)}_${'x'.repeat(32)}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['revoked key', { authorization: `Bearer ${revoked.key}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['right id, wrong secret', { authorization: `Bearer ${k.slice(0, 21)}${'x'.repeat(32)}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['Basic scheme', { authorization: `Basic ${Buffer.from(`admin:${k}`).toString('base64')}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['key without scheme', { authorization: k }, '', 'COL_ERR_AUTH_INVALID'],
      ['Bearer without key', { authorization: 'Bearer' }, '', 'COL_ERR_AUTH_INVALID'],
      ['two keys', { authorization: `Bearer ${k} ${k}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['key hash as key', { authorization: `Bearer ${'a'.repeat(64)}` }, '', 'COL_ERR_AUTH_INVALID'],
      ['key in ?api_key=', {}, `api_key=${k}`, 'COL_ERR_AUTH_MISSING'],
      ['key in ?token=', {}, `token=${k}`, 'COL_ERR_AUTH_MISSING'],
      ['key in ?access_token=', {}, `access_token=${k}`, 'COL_ERR_AUTH_MISSING'],
      ['no key, year 0', {}, 'to=0000-01-01T00%3A00%3A00Z', 'COL_ERR_AUTH_MISSING'],
      ['no key, repeated host', {}, 'host=a&host=b', 'COL_ERR_AUTH_MISSING'],
      ['no key, JSON content type without body', { 'content-type': 'application/json' }, '', 'COL_ERR_AUTH_MISSING'],
    ];
    const jobs: (() => Promise<Answer>)[] = [];
    const wanted: string[] = [];
    for (const r of routes) {
      for (const [, headers, qs, code] of CASES) {
        jobs.push(() => call(p.base, r.method, `${pathOf(r, 'a')}${qs === '' ? '' : `?${qs}`}`, { headers }));
        wanted.push(code);
      }
      // a malformed body (POST routes) or a wrong method (PUT on the others), and an unknown route, without a key: still 401, not 400/405/404
      jobs.push(() =>
        call(p.base, r.method === 'POST' ? 'POST' : 'PUT', pathOf(r, 'a'), { headers: { 'content-type': 'application/json' }, body: '{"name":' }),
      );
      wanted.push('COL_ERR_AUTH_MISSING');
    }
    jobs.push(() => call(p.base, 'GET', '/api/v1/no-such-route', {}));
    wanted.push('COL_ERR_AUTH_MISSING');
    const answers = await pool(jobs, 6);
    expect(answers.length).toBe(routes.length * (CASES.length + 1) + 1);
    expect(problemsOf(answers, (a, i) => (a.status === 401 && codeOf(a) === wanted[i] ? undefined : `wanted 401 ${wanted[i]}`))).toEqual([]);
    // what to do, in words
    const msg = (i: number): string => (JSON.parse((answers[i] as Answer).body) as { message: string }).message;
    expect(msg(0)).toBe('no credentials were given: send Authorization: Bearer <api key>');
    expect(msg(4)).toBe('the credentials are not valid: got a "Basic" header; send Authorization: Bearer <api key>');
    expect(msg(9)).toBe('no credentials were given: keys are not read from the query string (api_key=); send Authorization: Bearer <api key>');
  });

  /** Every answer of the role table, by tenant: the leak check below reads them again. */
  const roleAnswers: [Tenant, Answer][] = [];

  it('each role of each tenant on each route of its own: the status of the role table', async () => {
    const jobs: (() => Promise<Answer>)[] = [];
    const wanted: number[] = [];
    for (const t of ['a', 'b'] as const) {
      for (const r of routes) {
        for (const role of ['viewer', 'operator', 'admin'] as const) {
          jobs.push(async () => {
            // DELETE revokes: a fresh key of the tenant for each try
            const id =
              r.method === 'DELETE'
                ? (
                    JSON.parse(
                      (
                        await call(p.base, 'POST', '/api/v1/admin/keys', {
                          key: p.keys[t].admin,
                          headers: { 'content-type': 'application/json' },
                          body: '{"name":"to-revoke","role":"viewer"}',
                        })
                      ).body,
                    ) as { id: string }
                  ).id
                : undefined;
            const body = BODY[`${r.method} ${r.path}`];
            const a = await call(p.base, r.method, pathOf(r, t, id), {
              key: p.keys[t][role],
              ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
            });
            roleAnswers.push([t, a]);
            return a;
          });
          wanted.push(allowed(r, role));
        }
      }
    }
    const answers = await pool(jobs, 4);
    expect(answers.length).toBe(routes.length * 6);
    expect(
      problemsOf(answers, (a, i) => {
        if (a.status !== wanted[i]) return `wanted ${wanted[i]}`;
        if (a.status === 403 && codeOf(a) !== 'COL_ERR_AUTH_FORBIDDEN') return 'wanted COL_ERR_AUTH_FORBIDDEN';
        return undefined;
      }),
    ).toEqual([]);
  });

  it("tenant b's keys on tenant a's host, campaign, alert and key: nothing of tenant a", async () => {
    const aKeys = JSON.parse((await call(p.base, 'GET', '/api/v1/admin/keys', { key: p.keys.a.admin })).body) as { keys: { id: string; name: string }[] };
    const aViewerId = p.keys.a.viewer.slice(4, 20);
    expect(aKeys.keys.map((x) => x.id)).toContain(aViewerId);
    const host = await call(p.base, 'GET', `/api/v1/hosts/${p.hosts.a[0] ?? ''}/series`, { key: p.keys.b.viewer });
    expect([host.status, (JSON.parse(host.body) as { times: unknown[]; gpus: unknown[] }).times, (JSON.parse(host.body) as { gpus: unknown[] }).gpus]).toEqual([
      200,
      [],
      [],
    ]);
    const cases: [string, Answer, number][] = [
      ['campaign', await call(p.base, 'GET', `/api/v1/campaigns/${own.a.campaign}`, { key: p.keys.b.admin }), 404],
      ['ack', await call(p.base, 'POST', `/api/v1/alerts/${own.a.alert}/ack`, { key: p.keys.b.admin }), 404],
      ['revoke', await call(p.base, 'DELETE', `/api/v1/admin/keys/${aViewerId}`, { key: p.keys.b.admin }), 404],
      ['history', await call(p.base, 'GET', `/api/v1/alerts/${own.a.alert}/history`, { key: p.keys.b.viewer }), 404],
    ];
    expect(cases.map(([n, a]) => [n, a.status, codeOf(a)])).toEqual(cases.map(([n, , s]) => [n, s, 'COL_ERR_API_NOT_FOUND']));
    // tenant a's viewer key still works; a key created with a tenant in its body is the caller's tenant's
    expect(JSON.parse((await call(p.base, 'GET', '/api/v1/whoami', { key: p.keys.a.viewer })).body)).toEqual({
      tenant: 'tenant-a',
      role: 'viewer',
      auth: 'api_key',
    });
    const made = JSON.parse(
      (
        await call(p.base, 'POST', '/api/v1/admin/keys', {
          key: p.keys.a.admin,
          headers: { 'content-type': 'application/json' },
          body: '{"name":"x","role":"admin","tenant":"tenant-b"}',
        })
      ).body,
    ) as { key: string };
    expect(JSON.parse((await call(p.base, 'GET', '/api/v1/whoami', { key: made.key })).body)).toMatchObject({ tenant: 'tenant-a' });
  });

  it("no answer of the role table to one tenant names the other's hosts, campaigns or alerts", () => {
    const secrets: Record<Tenant, string[]> = {
      a: [...p.hosts.a, own.a.campaign, own.a.alert, 'tenant-a', 'sim-ws-5090'],
      b: [...p.hosts.b, own.b.campaign, own.b.alert, 'tenant-b', 'b-secret'],
    };
    expect(secrets.a.every((s) => s !== '') && secrets.b.every((s) => s !== '')).toBe(true);
    expect(roleAnswers.length).toBe(routes.length * 6);
    const leaks: string[] = [];
    let seen = 0;
    for (const [t, a] of roleAnswers) {
      const other = secrets[t === 'a' ? 'b' : 'a'];
      const hit = other.find((s) => a.body.includes(s));
      if (hit !== undefined) leaks.push(`${a.req} (tenant ${t}) shows ${hit}`);
      if (a.status === 200 && secrets[t].some((s) => a.body.includes(s))) seen++;
    }
    expect(leaks).toEqual([]);
    // the answers do carry each tenant's own names (the check above can fail)
    expect(seen).toBeGreaterThanOrEqual(40);
  });
});
