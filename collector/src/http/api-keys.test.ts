import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import type { Storage } from '../storage/clickhouse.js';
import { createApiKeyAuth, hasRole, sha256 } from './api-keys.js';

function storage(rows: Record<string, unknown>[]): Storage & { inserted: Record<string, unknown>[] } {
  const inserted: Record<string, unknown>[] = [];
  return {
    database: 'd',
    inserted,
    query: <T>() => Promise.resolve(rows as T[]),
    command: () => Promise.resolve(),
    insertJsonLines: () => Promise.resolve(),
    insert: (_t: string, r: readonly Record<string, unknown>[]) => {
      inserted.push(...r);
      return Promise.resolve();
    },
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

const req = (auth?: string): FastifyRequest => ({ headers: auth === undefined ? {} : { authorization: auth } }) as FastifyRequest;
const code = (fn: () => unknown): string => {
  try {
    return JSON.stringify(fn());
  } catch (err: unknown) {
    return isAppError(err) ? err.code : String(err);
  }
};
const base = { log: pino({ level: 'silent' }), now: () => Date.parse('2026-01-01T00:00:00Z'), bootstrapTenant: 't0' };
const KEY = `rwk_${'a'.repeat(16)}_${'x'.repeat(32)}`;
const row = {
  id: 'a'.repeat(16),
  tenant: 'ta',
  name: 'n',
  role: 'operator',
  key_sha256: sha256(KEY),
  prefix: 'rwk_aaaa',
  created_at: '2026-01-01 00:00:00',
  revoked: 0,
};

describe('api keys', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
  ] as const)('%s has %s: %s', (role, min, ok) => expect(hasRole(role, min)).toBe(ok));

  it('dev mode without any key: admin of default', async () => {
    const auth = await createApiKeyAuth({ ...base, storage: storage([]), bootstrapKey: '' });
    expect([auth.mode(), code(() => auth.authenticate(req()))]).toEqual(['dev_mode', '{"tenant":"default","role":"admin"}']);
  });

  it.each([
    ['no header', undefined, 'COL_ERR_AUTH_MISSING'],
    ['bootstrap key', 'Bearer boot-key', '{"tenant":"t0","role":"admin"}'],
    ['stored key', `Bearer ${KEY}`, '{"tenant":"ta","role":"operator"}'],
    ['stored id, wrong secret', `Bearer rwk_${'a'.repeat(16)}_${'y'.repeat(32)}`, 'COL_ERR_AUTH_INVALID'],
    ['garbage', 'Bearer nope', 'COL_ERR_AUTH_INVALID'],
    ['not bearer', `Basic ${KEY}`, 'COL_ERR_AUTH_INVALID'],
    ['two keys', `Bearer ${KEY} ${KEY}`, 'COL_ERR_AUTH_INVALID'],
    ['empty header', '', 'COL_ERR_AUTH_MISSING'],
  ])('%s', async (_n, header, want) => {
    const auth = await createApiKeyAuth({ ...base, storage: storage([row]), bootstrapKey: 'boot-key' });
    expect(code(() => auth.authenticate(req(header)))).toBe(want);
  });

  it('says why a request without a usable key is refused: another scheme, or a key in the query string (never read from there)', async () => {
    const auth = await createApiKeyAuth({ ...base, storage: storage([row]), bootstrapKey: 'boot-key' });
    const msg = (r: FastifyRequest): string => {
      try {
        auth.authenticate(r);
        return 'accepted';
      } catch (err: unknown) {
        return (err as Error).message;
      }
    };
    expect(msg(req(`Basic ${KEY}`))).toBe('the credentials are not valid: got a "Basic" header; send Authorization: Bearer <api key>');
    expect(msg(req('Bearer'))).toBe('the credentials are not valid: got a Bearer header without exactly one key; send Authorization: Bearer <api key>');
    expect(msg({ headers: {}, query: { api_key: KEY } } as unknown as FastifyRequest)).toBe(
      'no credentials were given: keys are not read from the query string (api_key=); send Authorization: Bearer <api key>',
    );
    expect(msg({ headers: {}, query: { host: 'x' } } as unknown as FastifyRequest)).toBe('no credentials were given: send Authorization: Bearer <api key>');
  });

  it('stores only the hash; a revoked key is refused; another tenant cannot revoke it', async () => {
    const st = storage([]);
    const auth = await createApiKeyAuth({ ...base, storage: st, bootstrapKey: 'boot-key' });
    const created = await auth.create('ta', 'ci', 'viewer');
    expect(JSON.stringify(st.inserted)).not.toContain(created.key.slice(21));
    expect(st.inserted[0]?.['key_sha256']).toBe(sha256(created.key));
    expect(code(() => auth.require(req(`Bearer ${created.key}`), 'viewer'))).toBe('{"tenant":"ta","role":"viewer"}');
    expect(code(() => auth.require(req(`Bearer ${created.key}`), 'operator'))).toBe('COL_ERR_AUTH_FORBIDDEN');
    expect(await auth.revoke('tb', created.id)).toBe(false);
    expect(await auth.revoke('ta', created.id)).toBe(true);
    expect(code(() => auth.authenticate(req(`Bearer ${created.key}`)))).toBe('COL_ERR_AUTH_INVALID');
    expect(auth.list('ta').map((k) => [k.name, k.revoked])).toEqual([['ci', true]]);
  });
});
