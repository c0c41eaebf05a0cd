import { AlertAckRequestSchema, AlertListQuerySchema, type AlertAckResponse, type AlertHistoryResponse, type AlertListResponse } from '@renderwatch/schema';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createAlertStore, toAlertDto, type AlertStore } from '../../alerts/alert-store.js';
import { AppError } from '../../errors.js';
import type { Storage } from '../../storage/clickhouse.js';
import { parseInput } from '../parse-input.js';
import type { RequestAuthenticator } from '../request-tenant.js';

export interface AlertRouteDeps {
  storage: Storage;
  authenticate: RequestAuthenticator;
  now: () => number;
  publicUrl: string;
}

const FingerprintParamsSchema = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'a 16-digit hex fingerprint') });

async function listAlerts(deps: AlertRouteDeps, store: AlertStore, req: FastifyRequest): Promise<AlertListResponse> {
  const { tenant } = deps.authenticate(req);
  const q = parseInput(AlertListQuerySchema, req.query);
  const nowMs = deps.now();
  const sinceMs = q.from === undefined ? nowMs - 7 * 86_400_000 : Date.parse(q.from);
  const all = await store.load(tenant, sinceMs);
  const wanted = all.filter((a) => q.state === undefined || (q.state === 'active' ? a.state !== 'resolved' : a.state === q.state));
  return { generated_at: new Date(nowMs).toISOString(), alerts: wanted.slice(0, q.limit ?? 500).map(toAlertDto) };
}

async function alertHistory(deps: AlertRouteDeps, store: AlertStore, req: FastifyRequest): Promise<AlertHistoryResponse> {
  const { tenant } = deps.authenticate(req);
  const { fingerprint } = parseInput(FingerprintParamsSchema, req.params);
  const transitions = await store.history(tenant, fingerprint);
  // as the ack answers: an alert of another tenant, or none, is not found (it answered an empty list)
  if (transitions.length === 0) throw new AppError('COL_ERR_API_NOT_FOUND', `no alert ${fingerprint}`);
  return { fingerprint, transitions };
}

async function ackAlert(deps: AlertRouteDeps, store: AlertStore, req: FastifyRequest): Promise<AlertAckResponse> {
  const { tenant, role } = deps.authenticate(req);
  if (role === 'viewer') throw new AppError('COL_ERR_AUTH_FORBIDDEN', 'acknowledging alerts needs an operator or admin key');
  const { fingerprint } = parseInput(FingerprintParamsSchema, req.params);
  // no body (or an empty one, http/json-body.ts) is no comment; a JSON null is not an object
  const body = parseInput(AlertAckRequestSchema, req.body === undefined ? {} : req.body);
  const current = await store.get(tenant, fingerprint);
  if (current === undefined) throw new AppError('COL_ERR_API_NOT_FOUND', `no alert ${fingerprint}`);
  const nowMs = deps.now();
  const acked = { ...current, ackedBy: body.by ?? role, ackedAtMs: nowMs, updatedAtMs: Math.max(nowMs, current.updatedAtMs) };
  // version above the evaluator's row of the same instant, so the acknowledgement wins
  await store.save([acked], Math.max(nowMs, current.updatedAtMs) + 1);
  return { alert: toAlertDto(acked) };
}

export function registerAlertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  const store = createAlertStore(deps.storage, deps.publicUrl);
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts: pending, firing and recently resolved',
        querystring: z.toJSONSchema(AlertListQuerySchema, { io: 'input' }),
      },
    },
    (req) => listAlerts(deps, store, req),
  );
  app.get('/api/v1/alerts/:fingerprint/history', { schema: { tags: ['alerts'], summary: 'State changes of one alert' } }, (req) =>
    alertHistory(deps, store, req),
  );
  app.post('/api/v1/alerts/:fingerprint/ack', { schema: { tags: ['alerts'], summary: 'Acknowledge an alert (operator or admin key)' } }, (req) =>
    ackAlert(deps, store, req),
  );
}
