// API keys for the HTTP API: `Authorization: Bearer rwk_<id>_<secret>`. Only a SHA-256 of the key
// is stored (table api_keys), each with a tenant and a role. Keys are held in memory and reloaded
// every COLLECTOR_API_KEYS_REFRESH_MS (the `api-keys-refresh` job, app.ts), so authentication is synchronous and a revocation reaches every replica
// within one refresh. A bootstrap admin key can come from config. With no key at all the API runs
// in dev mode (every request is an admin of tenant "default"), logged once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyInfo, ApiRole, CreateApiKeyResponse } from '@renderwatch/schema';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { chDateTimeToIso, splitTs } from '../domain/time.js';
import type { Storage } from '../storage/clickhouse.js';
import { raw } from '../storage/sql.js';
import type { RequestAuthenticator } from './request-tenant.js';

const ROLE_RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };
const KEY_FORMAT = /^rwk_([a-f0-9]{16})_([A-Za-z0-9_-]{20,64})$/;

export function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

interface KeyEntry {
  id: string;
  tenant: string;
  name: string;
  role: ApiRole;
  sha: string;
  prefix: string;
  created_at: string;
  revoked: boolean;
}

export interface ApiKeyAuthOptions {
  storage: Storage;
  log: Logger;
  now: () => number;
  /** A key accepted as admin of `bootstrapTenant` without being stored (empty = none). */
  bootstrapKey: string;
  bootstrapTenant: string;
}

export interface ApiKeyAuth {
  authenticate: RequestAuthenticator;
  /** Throws COL_ERR_AUTH_FORBIDDEN unless the caller's role is at least `min`. */
  require(req: FastifyRequest, min: ApiRole): { tenant: string; role: ApiRole };
  /** 'dev_mode' when no key exists anywhere. */
  mode(): 'api_key' | 'dev_mode';
  refresh(): Promise<void>;
  create(tenant: string, name: string, role: ApiRole): Promise<CreateApiKeyResponse>;
  revoke(tenant: string, id: string): Promise<boolean>;
  list(tenant: string): ApiKeyInfo[];
}

export function hasRole(role: ApiRole, min: ApiRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

const QUERY_KEY_NAMES = ['api_key', 'apikey', 'key', 'token', 'access_token', 'authorization'];

/** Why a request without a usable bearer key is refused: no header, another scheme, or a key put in the query string. */
function refusal(req: FastifyRequest): AppError {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.trim() !== '') {
    const scheme = /^\S+/.exec(h.trim())?.[0] ?? '';
    // the scheme's name only when it is one (Basic, Token...): a bare key is never echoed
    const what = /^bearer$/i.test(scheme)
      ? 'a Bearer header without exactly one key'
      : /^[A-Za-z-]{1,20}$/.test(scheme)
        ? `a ${JSON.stringify(scheme)} header`
        : 'an Authorization header without a scheme';
    return new AppError('COL_ERR_AUTH_INVALID', `got ${what}; send Authorization: Bearer <api key>`);
  }
  const q = typeof req.query === 'object' && req.query !== null ? Object.keys(req.query) : [];
  const named = q.find((k) => QUERY_KEY_NAMES.includes(k.toLowerCase()));
  if (named !== undefined)
    return new AppError('COL_ERR_AUTH_MISSING', `keys are not read from the query string (${named}=); send Authorization: Bearer <api key>`);
  return new AppError('COL_ERR_AUTH_MISSING', 'send Authorization: Bearer <api key>');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export async function createApiKeyAuth(o: ApiKeyAuthOptions): Promise<ApiKeyAuth> {
  const log = o.log.child({ module: 'api-keys' });
  let byId = new Map<string, KeyEntry>();
  // Writes of this replica win over a refresh that read the table before they landed.
  const recent = new Map<string, { entry: KeyEntry; at: number }>();
  let devLogged = false;
  const bootstrapSha = o.bootstrapKey === '' ? undefined : sha256(o.bootstrapKey);

  async function refresh(): Promise<void> {
    const rows = await o.storage.query<{
      id: string;
      tenant: string;
      name: string;
      role: string;
      key_sha256: string;
      prefix: string;
      created_at: string;
      revoked: number;
    }>(
      raw(`
      SELECT id, argMax(tenant, updated_at) AS tenant, argMax(name, updated_at) AS name, argMax(role, updated_at) AS role,
        argMax(key_sha256, updated_at) AS key_sha256, argMax(prefix, updated_at) AS prefix, toString(min(created_at)) AS created_at,
        argMax(revoked, updated_at) AS revoked
      FROM api_keys GROUP BY id`),
    );
    const next = new Map<string, KeyEntry>();
    for (const r of rows) {
      if (r.role !== 'viewer' && r.role !== 'operator' && r.role !== 'admin') continue;
      next.set(r.id, {
        id: r.id,
        tenant: r.tenant,
        name: r.name,
        role: r.role,
        sha: r.key_sha256,
        prefix: r.prefix,
        created_at: chDateTimeToIso(r.created_at),
        revoked: Number(r.revoked) === 1,
      });
    }
    const t = o.now();
    for (const [id, w] of recent) {
      if (t - w.at > 60_000) recent.delete(id);
      else next.set(id, w.entry);
    }
    byId = next;
  }

  // Later refreshes: the `api-keys-refresh` job (app.ts); a failed one keeps the previous keys.
  await refresh();

  const mode = (): 'api_key' | 'dev_mode' => (bootstrapSha === undefined && byId.size === 0 ? 'dev_mode' : 'api_key');

  const check: RequestAuthenticator = (req) => {
    if (mode() === 'dev_mode') {
      if (!devLogged) {
        log.warn('no API keys configured: HTTP API in dev mode, every request is an admin of tenant "default"');
        devLogged = true;
      }
      return { tenant: 'default', role: 'admin' };
    }
    const key = bearer(req);
    if (key === undefined) throw refusal(req);
    const sha = sha256(key);
    if (bootstrapSha !== undefined && sameHex(sha, bootstrapSha)) return { tenant: o.bootstrapTenant, role: 'admin' };
    const m = KEY_FORMAT.exec(key);
    const entry = m?.[1] === undefined ? undefined : byId.get(m[1]);
    if (entry === undefined || entry.revoked || !sameHex(sha, entry.sha)) throw new AppError('COL_ERR_AUTH_INVALID', 'unknown or revoked API key');
    return { tenant: entry.tenant, role: entry.role };
  };

  // The onRequest hook (api-routes.ts) checks every /api/ request before its route, which checks it
  // again for the tenant and role: one request's answer is worked out once (a refused one throws each time).
  const seen = new WeakMap<FastifyRequest, ReturnType<RequestAuthenticator>>();
  const authenticate: RequestAuthenticator = (req) => {
    const known = seen.get(req);
    if (known !== undefined) return known;
    const who = check(req);
    seen.set(req, who);
    return who;
  };

  async function write(e: KeyEntry): Promise<void> {
    const nowTs = splitTs(o.now()).ts;
    await o.storage.insert('api_keys', [
      {
        id: e.id,
        tenant: e.tenant,
        name: e.name,
        role: e.role,
        key_sha256: e.sha,
        prefix: e.prefix,
        created_at: e.created_at.replace('T', ' ').slice(0, 19),
        revoked: e.revoked ? 1 : 0,
        updated_at: nowTs,
      },
    ]);
  }

  const info = (e: KeyEntry): ApiKeyInfo => ({ id: e.id, name: e.name, role: e.role, prefix: e.prefix, created_at: e.created_at, revoked: e.revoked });

  return {
    authenticate,
    require(req, min) {
      const who = authenticate(req);
      if (!hasRole(who.role, min)) throw new AppError('COL_ERR_AUTH_FORBIDDEN', `this needs the ${min} role; the key has ${who.role}`);
      return who;
    },
    mode,
    refresh,
    async create(tenant, name, role) {
      const id = randomBytes(8).toString('hex');
      const key = `rwk_${id}_${randomBytes(24).toString('base64url')}`;
      const e: KeyEntry = {
        id,
        tenant,
        name,
        role,
        sha: sha256(key),
        prefix: key.slice(0, 12),
        created_at: new Date(Math.floor(o.now() / 1000) * 1000).toISOString(),
        revoked: false,
      };
      await write(e);
      byId.set(id, e);
      recent.set(id, { entry: e, at: o.now() });
      log.info({ id, role }, 'api key created');
      return { ...info(e), key };
    },
    async revoke(tenant, id) {
      const e = byId.get(id);
      if (e === undefined || e.tenant !== tenant) return false;
      const revoked = { ...e, revoked: true };
      await write(revoked);
      byId.set(id, revoked);
      recent.set(id, { entry: revoked, at: o.now() });
      log.info({ id }, 'api key revoked');
      return true;
    },
    list(tenant) {
      return [...byId.values()]
        .filter((e) => e.tenant === tenant)
        .map(info)
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    },
  };
}
