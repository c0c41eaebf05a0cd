// Agent tokens → tenant. The tokens file (YAML or JSON) holds only SHA-256 hashes of tokens, each
// with its tenant, a name and a revoked flag. The file is re-read when it changes (checked on every
// call with one stat), so a token revoked in the file is refused by the next Export. A token's hash
// is computed once per loaded file, not per call.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.js';

const TokenEntrySchema = z.object({
  name: z.string().min(1).max(128),
  tenant: z.string().regex(/^[\w.:@-]{1,128}$/, 'a tenant id (letters, digits, _ . : @ -)'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits (renderwatch-collector hash-token)'),
  revoked: z.boolean().default(false),
});

/** `{ tokens: [...] }` or a bare list. */
export const AgentTokensFileSchema = z.union([z.object({ tokens: z.array(TokenEntrySchema) }), z.array(TokenEntrySchema).transform((tokens) => ({ tokens }))]);

export type AgentTokenEntry = z.infer<typeof TokenEntrySchema>;

/** The hash stored in the tokens file for a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token (URL-safe, 256 bits). */
export function newToken(): string {
  return `rwa_${randomBytes(32).toString('base64url')}`;
}

export type ParseTokensResult = { ok: true; byHash: ReadonlyMap<string, AgentTokenEntry> } | { ok: false; issues: string[] };

/** Parses the text of a tokens file (JSON is valid YAML). Pure. */
export function parseAgentTokens(text: string): ParseTokensResult {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err: unknown) {
    return { ok: false, issues: [`not YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`] };
  }
  const r = AgentTokensFileSchema.safeParse(doc);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  const byHash = new Map<string, AgentTokenEntry>();
  const issues: string[] = [];
  for (const t of r.data.tokens) {
    const prev = byHash.get(t.sha256);
    if (prev !== undefined && prev.tenant !== t.tenant) issues.push(`tokens "${prev.name}" and "${t.name}" share a hash but not a tenant`);
    // A hash listed twice is revoked if either entry revokes it.
    byHash.set(t.sha256, prev === undefined ? t : { ...t, revoked: prev.revoked || t.revoked });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, byHash };
}

/** The bearer token of a call, or undefined. */
export function bearerToken(md: Metadata): string | undefined {
  const v = md.get('authorization')[0];
  if (typeof v !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(v);
  return m?.[1];
}

export interface AgentTokenStore {
  /** Metadata → tenant; throws AppError COL_ERR_AUTH_MISSING / COL_ERR_AUTH_INVALID. */
  resolve(md: Metadata): string;
  /** Tokens currently loaded (for logs and tests). */
  readonly size: number;
}

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

/**
 * Loads the tokens file; throws COL_ERR_CONFIG_INVALID when it is unreadable or invalid at start.
 * A later edit that breaks the file keeps the last good tokens (logged as an error).
 */
export function createAgentTokenStore(file: string, log: Logger): AgentTokenStore {
  const l = log.child({ module: 'auth.agent-tokens' });
  let stamp: FileStamp | undefined;
  let byHash: ReadonlyMap<string, AgentTokenEntry> = new Map();
  /**
   * token → its entry in the loaded set, so a known token is hashed once, not on every Export.
   * Emptied whenever the file is reloaded (a revocation is one stat away, as before); only tokens
   * found in the file are kept, so it holds at most one key per entry whatever callers send.
   */
  const byToken = new Map<string, AgentTokenEntry>();

  function load(initial: boolean): void {
    let st: FileStamp;
    try {
      const s = statSync(file);
      st = { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
    } catch (err: unknown) {
      if (initial) throw new AppError('COL_ERR_CONFIG_INVALID', `COLLECTOR_AGENT_TOKENS_FILE ${file} cannot be read`, { cause: err });
      if (stamp !== undefined) l.error({ err, file }, 'agent tokens file vanished, keeping the last good tokens');
      stamp = undefined;
      return;
    }
    if (stamp !== undefined && st.mtimeMs === stamp.mtimeMs && st.size === stamp.size && st.ino === stamp.ino) return;
    stamp = st;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err: unknown) {
      if (initial) throw new AppError('COL_ERR_CONFIG_INVALID', `COLLECTOR_AGENT_TOKENS_FILE ${file} cannot be read`, { cause: err });
      l.error({ err, file }, 'agent tokens file unreadable, keeping the last good tokens');
      return;
    }
    const r = parseAgentTokens(text);
    if (!r.ok) {
      if (initial) throw new AppError('COL_ERR_CONFIG_INVALID', `COLLECTOR_AGENT_TOKENS_FILE ${file}: ${r.issues.join('; ')}`);
      l.error({ file, issues: r.issues }, 'agent tokens file invalid, keeping the last good tokens');
      return;
    }
    byHash = r.byHash;
    byToken.clear();
    const revoked = [...byHash.values()].filter((t) => t.revoked).length;
    l.info({ file, tokens: byHash.size, revoked }, initial ? 'agent tokens loaded' : 'agent tokens reloaded');
  }

  load(true);
  return {
    resolve(md) {
      load(false);
      const token = bearerToken(md);
      if (token === undefined) throw new AppError('COL_ERR_AUTH_MISSING', 'send the agent token as "authorization: Bearer <token>" (AGENT_TOKEN)');
      let entry = byToken.get(token);
      if (entry === undefined) {
        entry = byHash.get(hashToken(token));
        if (entry === undefined) throw new AppError('COL_ERR_AUTH_INVALID', 'unknown agent token');
        byToken.set(token, entry);
      }
      if (entry.revoked) throw new AppError('COL_ERR_AUTH_INVALID', `agent token "${entry.name}" is revoked`);
      return entry.tenant;
    },
    get size() {
      return byHash.size;
    },
  };
}

/** Dev mode (no tokens file): every agent is tenant "default"; says so once. */
export function createDevTenantResolver(log: Logger): (md: Metadata) => string {
  log.child({ module: 'auth.agent-tokens' }).warn('COLLECTOR_AGENT_TOKENS_FILE is not set: every agent is accepted as tenant "default" (dev mode)');
  return () => 'default';
}
