// What every read route needs: the caller's tenant scope, the range guards and a short answer cache.
import type { FastifyRequest } from 'fastify';
import type { RangeLimits } from '../storage/resolution.js';
import type { Storage } from '../storage/clickhouse.js';
import { scoped, type TenantScope } from '../storage/scope.js';
import type { RequestAuthenticator } from './request-tenant.js';

export interface QueryDeps {
  storage: Storage;
  authenticate: RequestAuthenticator;
  now: () => number;
  limits: RangeLimits;
  queryTimeoutS: number;
  silentAfterS: number;
  /** GPUs per host an answer lists at most (COLLECTOR_MAX_GPUS_PER_HOST, the ingest limit). */
  maxGpusPerHost: number;
  cache: AnswerCache;
}

export function scopeFor(deps: QueryDeps, req: FastifyRequest): TenantScope {
  const { tenant } = deps.authenticate(req);
  return scoped(deps.storage, tenant, { maxExecutionS: deps.queryTimeoutS });
}

/** Reuses an answer for `ttlMs` per (tenant, url); concurrent identical requests share one query. */
export interface AnswerCache {
  get<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export function createAnswerCache(ttlMs: number, now: () => number, maxEntries = 500): AnswerCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (ttlMs <= 0) return compute();
      const t = now();
      const hit = entries.get(key);
      if (hit !== undefined && t - hit.at < ttlMs) return hit.value as Promise<T>;
      const value = compute();
      entries.set(key, { at: t, value });
      value.catch(() => entries.delete(key));
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    },
  };
}

/** Cache key: the tenant and the full URL (path + query) of the request. */
export function cacheKey(scope: TenantScope, req: FastifyRequest): string {
  return `${scope.tenant}\u0000${req.url}`;
}
