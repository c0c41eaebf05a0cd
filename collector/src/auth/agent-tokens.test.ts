import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { bearerToken, createAgentTokenStore, hashToken, newToken, parseAgentTokens } from './agent-tokens.js';

const log = pino({ level: 'silent' });
const A = 'token-of-tenant-a';
const B = 'token-of-tenant-b';

function md(auth?: string): Metadata {
  const m = new Metadata();
  if (auth !== undefined) m.set('authorization', auth);
  return m;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err: unknown) {
    return isAppError(err) ? err.code : String(err);
  }
}

const dirs: string[] = [];
function tokensFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rw-tokens-'));
  dirs.push(dir);
  const f = join(dir, 'tokens.yaml');
  writeFileSync(f, text);
  return f;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const yamlFor = (revokeA = false): string => `tokens:
  - name: render-a
    tenant: studio-a
    sha256: ${hashToken(A)}
    revoked: ${revokeA}
  - name: render-b
    tenant: studio-b
    sha256: ${hashToken(B)}
`;

describe('hashToken', () => {
  it('is the lowercase hex SHA-256 of the token', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('makes distinct random tokens', () => {
    const a = newToken();
    expect(a).toMatch(/^rwa_[\w-]{43}$/);
    expect(newToken()).not.toBe(a);
  });
});

describe('parseAgentTokens', () => {
  it.each([
    ['YAML object', yamlFor(), 2],
    ['JSON list', JSON.stringify([{ name: 'x', tenant: 't1', sha256: hashToken('x') }]), 1],
  ])('accepts a %s', (_name, text, size) => {
    const r = parseAgentTokens(text);
    expect(r.ok && r.byHash.size).toBe(size);
  });
  it.each([
    ['a plain token instead of a hash', `tokens: [{name: x, tenant: t, sha256: not-a-hash}]`, /sha256/],
    ['a bad tenant', `tokens: [{name: x, tenant: "a b", sha256: ${hashToken('x')}}]`, /tenant/],
    ['one hash for two tenants', `[{name: x, tenant: t1, sha256: ${hashToken('x')}}, {name: y, tenant: t2, sha256: ${hashToken('x')}}]`, /share a hash/],
    ['broken YAML', 'tokens: [', /not YAML/],
  ])('rejects %s', (_name, text, re) => {
    const r = parseAgentTokens(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.join('; ')).toMatch(re);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer  abc ', 'abc'],
    ['Basic abc', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, want) => {
    expect(bearerToken(md(header))).toBe(want);
  });
});

describe('createAgentTokenStore', () => {
  it('maps each token to its own tenant and refuses missing or unknown tokens', () => {
    const s = createAgentTokenStore(tokensFile(yamlFor()), log);
    expect(s.resolve(md(`Bearer ${A}`))).toBe('studio-a');
    expect(s.resolve(md(`Bearer ${B}`))).toBe('studio-b');
    expect(codeOf(() => s.resolve(md()))).toBe('COL_ERR_AUTH_MISSING');
    expect(codeOf(() => s.resolve(md('Bearer nope')))).toBe('COL_ERR_AUTH_INVALID');
    expect(codeOf(() => s.resolve(md(`Bearer ${hashToken(A)}`)))).toBe('COL_ERR_AUTH_INVALID');
  });

  it('refuses a token on the very next call after the file revokes it', () => {
    const f = tokensFile(yamlFor());
    const s = createAgentTokenStore(f, log);
    expect(s.resolve(md(`Bearer ${A}`))).toBe('studio-a');
    // Replace atomically (new inode), the way editors and config management write files.
    writeFileSync(`${f}.new`, yamlFor(true));
    renameSync(`${f}.new`, f);
    expect(codeOf(() => s.resolve(md(`Bearer ${A}`)))).toBe('COL_ERR_AUTH_INVALID');
    expect(s.resolve(md(`Bearer ${B}`))).toBe('studio-b');
  });

  it('refuses a token already resolved many times on the next call after the file drops it', () => {
    const f = tokensFile(yamlFor());
    const s = createAgentTokenStore(f, log);
    for (let i = 0; i < 3; i++) expect(s.resolve(md(`Bearer ${A}`))).toBe('studio-a');
    writeFileSync(`${f}.new`, JSON.stringify([{ name: 'b', tenant: 'studio-b', sha256: hashToken(B) }]));
    renameSync(`${f}.new`, f);
    expect(codeOf(() => s.resolve(md(`Bearer ${A}`)))).toBe('COL_ERR_AUTH_INVALID');
    expect(s.resolve(md(`Bearer ${B}`))).toBe('studio-b');
  });

  it('keeps the last good tokens when an edit breaks the file', () => {
    const f = tokensFile(yamlFor());
    const s = createAgentTokenStore(f, log);
    writeFileSync(f, 'tokens: [{ broken');
    expect(s.resolve(md(`Bearer ${A}`))).toBe('studio-a');
    expect(s.size).toBe(2);
  });

  it('fails at start on a missing or invalid file', () => {
    expect(codeOf(() => createAgentTokenStore('/nonexistent/tokens.yaml', log))).toBe('COL_ERR_CONFIG_INVALID');
    expect(codeOf(() => createAgentTokenStore(tokensFile('tokens: 3'), log))).toBe('COL_ERR_CONFIG_INVALID');
  });
});
