// The black-box probe's collector: a real collector against the test ClickHouse with two tenants
// (agent tokens file + API keys of all three roles each), filled through the agents' export path
// with a few hosts of the demo story per tenant (simulator fillHistory), then the SLO/alert
// evaluator run so alerts exist. Side-effect free at import (docs/style.md "7. Tests").
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { demoFleetSpecs, fillHistory, type DemoHostSpec } from '@renderwatch/simulator';
import { startTestCollector } from './test-collector.js';

export type Role = 'viewer' | 'operator' | 'admin';
export type Tenant = 'a' | 'b';

export interface ProbeCollector {
  base: string;
  /** API keys per tenant and role. */
  keys: Record<Tenant, Record<Role, string>>;
  /** Host names of each tenant (tenant b's all start with `b-secret-`). */
  hosts: Record<Tenant, string[]>;
  stop(): Promise<void>;
}

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** A few demo hosts per tenant; tenant b's renamed so that any of its names in a tenant-a answer is a leak. */
function specsOf(tenant: Tenant): DemoHostSpec[] {
  const all = demoFleetSpecs();
  const pick = (name: string, rename: string): DemoHostSpec => {
    const s = all.find((x) => x.hostname === name);
    if (s === undefined) throw new Error(`no demo host ${name}`);
    const story = { ...s.story };
    if (story.campaigns !== undefined) story.campaigns = story.campaigns.map((c, i) => ({ ...c, startHoursAgo: 3 - i, jobs: Math.min(c.jobs, 30) }));
    if (story.coolingFailedHoursAgo !== undefined) story.coolingFailedHoursAgo = 4;
    if (story.modelSwaps !== undefined) story.modelSwaps = story.modelSwaps.map((m) => ({ ...m, hoursAgo: 3 }));
    return { ...s, hostname: rename, story };
  };
  return tenant === 'a'
    ? [pick('ws-5090-01', 'ws-5090-01'), pick('video-l40s-01', 'video-l40s-01'), pick('edge-t4-01', 'edge-t4-01')]
    : [pick('rack-b-a10g-01', 'b-secret-a10g'), pick('video-l40s-01', 'b-secret-l40s')];
}

async function createKey(base: string, admin: string, role: Role): Promise<string> {
  const r = await fetch(`${base}/api/v1/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `probe-${role}`, role }),
  });
  if (r.status !== 201) throw new Error(`creating a ${role} key: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { key: string }).key;
}

export async function startProbeCollector(clickhouseUrl: string): Promise<ProbeCollector> {
  const dir = await mkdtemp(join(tmpdir(), 'rw-probe-'));
  const agentToken = { a: `rwa_probe_a_${randomBytes(8).toString('hex')}`, b: `rwa_probe_b_${randomBytes(8).toString('hex')}` };
  const tokensFile = join(dir, 'tokens.yaml');
  await writeFile(
    tokensFile,
    JSON.stringify({
      tokens: [
        { name: 'agents-a', tenant: 'tenant-a', sha256: sha(agentToken.a) },
        { name: 'agents-b', tenant: 'tenant-b', sha256: sha(agentToken.b) },
      ],
    }),
  );
  const bootstrap = `probe-bootstrap-${randomBytes(12).toString('hex')}`;
  const c = await startTestCollector(clickhouseUrl, {
    COLLECTOR_AGENT_TOKENS_FILE: tokensFile,
    COLLECTOR_API_ADMIN_KEY: bootstrap,
    COLLECTOR_API_ADMIN_TENANT: 'tenant-a',
    COLLECTOR_API_KEYS_REFRESH_MS: '200',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
  });
  const base = `http://127.0.0.1:${c.httpPort}`;
  // Tenant b's first admin: a stored key (the bootstrap key is tenant a's), as an operator would insert it.
  const bId = randomBytes(8).toString('hex');
  const bAdmin = `rwk_${bId}_${randomBytes(24).toString('base64url')}`;
  await c.storage.insert('api_keys', [
    {
      id: bId,
      tenant: 'tenant-b',
      name: 'probe-b-admin',
      role: 'admin',
      key_sha256: sha(bAdmin),
      prefix: bAdmin.slice(0, 12),
      created_at: '2026-01-01 00:00:00',
      revoked: 0,
      updated_at: '2026-01-01 00:00:00',
    },
  ]);
  const aAdmin = await createKey(base, bootstrap, 'admin');
  for (let i = 0; i < 50; i++) {
    if ((await fetch(`${base}/api/v1/whoami`, { headers: { authorization: `Bearer ${bAdmin}` } })).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const keys: ProbeCollector['keys'] = {
    a: { admin: aAdmin, operator: await createKey(base, aAdmin, 'operator'), viewer: await createKey(base, aAdmin, 'viewer') },
    b: { admin: bAdmin, operator: await createKey(base, bAdmin, 'operator'), viewer: await createKey(base, bAdmin, 'viewer') },
  };
  const endMs = Date.now();
  const log = pino({ level: 'silent' });
  for (const t of ['a', 'b'] as const) {
    const p = await fillHistory({
      specs: specsOf(t),
      address: `127.0.0.1:${c.grpcPort}`,
      token: agentToken[t],
      endMs,
      days: 0.25,
      log,
      seed: t === 'a' ? 1 : 2,
    });
    if (p.failedBatches > 0 || p.rows === 0) throw new Error(`history of tenant ${t}: ${p.failedBatches} batches refused, ${p.rows} rows`);
  }
  await c.evaluator.tick();
  return {
    base,
    keys,
    hosts: { a: specsOf('a').map((s) => s.hostname), b: specsOf('b').map((s) => s.hostname) },
    async stop() {
      await c.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  /** `METHOD path` as sent (path cut at 160 characters), for the failure list. */
  req: string;
  status: number;
  headers: Headers;
  body: string;
}

/** One request; a request that does not answer within 10 s is a hang (status 0, body `HANG`). */
export async function call(
  base: string,
  method: string,
  path: string,
  init: { key?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.key === undefined ? {} : { authorization: `Bearer ${init.key}` }), ...init.headers };
  const req = `${method} ${path.length > 160 ? `${path.slice(0, 160)}…(${path.length})` : path}`;
  try {
    const r = await fetch(`${base}${path}`, { method, headers, ...(init.body === undefined ? {} : { body: init.body }), signal: AbortSignal.timeout(10_000) });
    return { req, status: r.status, headers: r.headers, body: await r.text() };
  } catch (err: unknown) {
    return { req, status: 0, headers: new Headers(), body: err instanceof Error && err.name === 'TimeoutError' ? 'HANG' : `FAILED ${String(err)}` };
  }
}

const CLICKHOUSE_TEXT = /DB::|Exception|Code: \d+|e\.what|clickhouse|Stack trace/i;

/**
 * What is wrong with an answer whatever the request: a 5xx or no answer, ClickHouse's text, an error
 * that is not `{code, message}` with a registered code whose documented status is the one sent, a
 * message over 500 characters, an answer over 2 MB. Empty = nothing.
 */
export function answerProblems(a: Answer, errors: Record<string, { httpStatus: number }>): string[] {
  const out: string[] = [];
  if (a.status === 0 || a.status >= 500) out.push(`status ${a.status}`);
  if (CLICKHOUSE_TEXT.test(a.body)) out.push('ClickHouse text');
  if (a.body.length > 2_000_000) out.push(`${a.body.length} bytes`);
  if (a.status >= 400 && !a.req.startsWith('HEAD ')) {
    try {
      const j = JSON.parse(a.body) as { code?: unknown; message?: unknown };
      const spec = typeof j.code === 'string' ? errors[j.code] : undefined;
      if (spec === undefined) out.push(`code ${String(j.code)} not registered`);
      else if (spec.httpStatus !== a.status) out.push(`${String(j.code)} is documented as ${spec.httpStatus}, sent ${a.status}`);
      if (typeof j.message !== 'string' || j.message === '' || j.message.length > 500) out.push(`message of ${String(j.message).length} characters`);
    } catch {
      out.push('error body is not JSON');
    }
  }
  return out;
}

/** Runs `jobs` at most `n` at a time, in order of start. */
export async function pool<T>(jobs: (() => Promise<T>)[], n = 4): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await (jobs[i] as () => Promise<T>)();
      }
    }),
  );
  return out;
}

export interface ApiRoute {
  method: string;
  /** OpenAPI path, `{param}` style. */
  path: string;
  /** Query parameters with their JSON Schema. */
  query: { name: string; schema: { type?: string; format?: string; enum?: string[]; minimum?: number; maximum?: number; maxLength?: number } }[];
}

/** Every route of the collector's /openapi.json under /api/. */
export async function apiRoutes(base: string): Promise<ApiRoute[]> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: ApiRoute['query'][number]['schema'] }[] }>>;
  };
  const out: ApiRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [m, op] of Object.entries(ops)) {
      out.push({
        method: m.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
      });
    }
  }
  return out;
}
