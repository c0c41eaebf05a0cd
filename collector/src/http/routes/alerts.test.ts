import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../storage/clickhouse.js';
import type { SqlFragment } from '../../storage/sql.js';
import { registerErrorHandler } from '../error-handler.js';
import type { RequestAuthenticator } from '../request-tenant.js';
import { registerAlertRoutes } from './alerts.js';

const FP = '0123456789abcdef';
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const ROW = {
  tenant: 'acme',
  fingerprint: FP,
  alertname: 'OomStorm',
  severity: 'page',
  source: 'rule',
  rule: 'oom-storm',
  state: 'firing',
  labels_keys: ['alertname', 'host'],
  labels_values: ['OomStorm', 'h1'],
  annotations_keys: ['summary'],
  annotations_values: ['6 OOMs'],
  value: 6,
  active_s: NOW / 1000 - 600,
  fired_s: NOW / 1000 - 600,
  resolved_s: null,
  acked_by: '',
  acked_s: null,
  last_sent_s: NOW / 1000 - 600,
  updated_s: NOW / 1000 - 60,
  version: '1',
};

function fakeStorage() {
  const queries: string[] = [];
  const inserts: { table: string; rows: readonly Record<string, unknown>[] }[] = [];
  const storage: Storage = {
    database: 'test',
    query: <T>(q: SqlFragment) => {
      queries.push(q.text);
      return Promise.resolve((q.text.includes(`fingerprint = '${FP}'`) ? [ROW] : []) as T[]);
    },
    command: () => Promise.resolve(),
    insertJsonLines: () => Promise.resolve(),
    insert: (table, rows) => {
      inserts.push({ table, rows });
      return Promise.resolve();
    },
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  return { storage, queries, inserts };
}

async function app(role: 'viewer' | 'operator' | 'admin') {
  const s = fakeStorage();
  const http = Fastify();
  // as in buildApp: zod in the handlers validates, route JSON Schemas only document
  http.setValidatorCompiler(() => (data) => ({ value: data }));
  registerErrorHandler(http);
  const authenticate: RequestAuthenticator = () => ({ tenant: 'acme', role });
  registerAlertRoutes(http, { storage: s.storage, authenticate, now: () => NOW, publicUrl: 'http://rw' });
  await http.ready();
  return { http, ...s };
}

describe('POST /api/v1/alerts/:fingerprint/ack', () => {
  it('refuses a viewer key with COL_ERR_AUTH_FORBIDDEN and writes nothing', async () => {
    const { http, inserts } = await app('viewer');
    const res = await http.inject({ method: 'POST', url: `/api/v1/alerts/${FP}/ack`, payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'COL_ERR_AUTH_FORBIDDEN' });
    expect(inserts).toEqual([]);
  });

  it('records who acknowledged, for an operator, in a newer row of the same alert', async () => {
    const { http, inserts, queries } = await app('operator');
    const res = await http.inject({ method: 'POST', url: `/api/v1/alerts/${FP}/ack`, payload: { by: 'dana' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      alert: { fingerprint: FP, state: 'firing', acknowledged_by: 'dana', acknowledged_at: new Date(NOW).toISOString(), labels: { host: 'h1' } },
    });
    expect(queries[0]).toContain("tenant = 'acme' AND fingerprint = '0123456789abcdef'");
    expect(inserts[0]?.table).toBe('alerts');
    expect(inserts[0]?.rows[0]).toMatchObject({ fingerprint: FP, acked_by: 'dana', acked_at: '2026-11-01 12:00:00', version: NOW + 1, state: 'firing' });
  });

  it.each([
    ['a malformed fingerprint', '/api/v1/alerts/xyz/ack', 400, 'COL_ERR_API_BAD_REQUEST'],
    ['an unknown alert', '/api/v1/alerts/ffffffffffffffff/ack', 404, 'COL_ERR_API_NOT_FOUND'],
  ])('answers %s with %i', async (_what, url, status, code) => {
    const { http } = await app('admin');
    const res = await http.inject({ method: 'POST', url, payload: {} });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });
});

describe('GET /api/v1/alerts', () => {
  it('refuses an unknown state filter', async () => {
    const { http } = await app('viewer');
    const res = await http.inject({ method: 'GET', url: '/api/v1/alerts?state=burning' });
    expect(res.statusCode).toBe(400);
  });
});
