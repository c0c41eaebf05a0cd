import { SloSeriesQuerySchema, type SloDetailResponse, type SloListResponse } from '@renderwatch/schema';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { SloSource } from '../../slo/slo-source.js';
import { latestStatuses, sloSeries } from '../../slo/slo-store.js';
import type { Storage } from '../../storage/clickhouse.js';
import { rangeEndMs } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import type { RequestAuthenticator } from '../request-tenant.js';

export interface SloRouteDeps {
  storage: Storage;
  authenticate: RequestAuthenticator;
  now: () => number;
  slos: SloSource;
}

const NameParamsSchema = z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'an SLO name') });

async function listSlos(deps: SloRouteDeps, req: FastifyRequest): Promise<SloListResponse> {
  const { tenant } = deps.authenticate(req);
  const nowMs = deps.now();
  const file = await deps.slos.current();
  const specs = file.slos.filter((s) => s.tenants === undefined || s.tenants.includes(tenant));
  return { generated_at: new Date(nowMs).toISOString(), slos: await latestStatuses(deps.storage, tenant, specs, nowMs) };
}

async function sloDetail(deps: SloRouteDeps, req: FastifyRequest): Promise<SloDetailResponse> {
  const { tenant } = deps.authenticate(req);
  const { name } = parseInput(NameParamsSchema, req.params);
  const q = parseInput(SloSeriesQuerySchema, req.query);
  const nowMs = deps.now();
  const spec = (await deps.slos.current()).slos.find((s) => s.name === name && (s.tenants === undefined || s.tenants.includes(tenant)));
  if (spec === undefined) throw new AppError('COL_ERR_API_NOT_FOUND', `no SLO named ${name}`);
  const toMs = rangeEndMs(q, nowMs);
  const fromMs = q.from === undefined ? toMs - 7 * 86_400_000 : Date.parse(q.from);
  if (fromMs >= toMs) throw new AppError('COL_ERR_API_BAD_REQUEST', 'from must be before to');
  const [slo] = await latestStatuses(deps.storage, tenant, [spec], nowMs);
  if (slo === undefined) throw new AppError('COL_ERR_API_NOT_FOUND', `no SLO named ${name}`);
  const points = await sloSeries(deps.storage, tenant, name, fromMs, toMs);
  return { slo, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), points };
}

export function registerSloRoutes(app: FastifyInstance, deps: SloRouteDeps): void {
  app.get('/api/v1/slos', { schema: { tags: ['slos'], summary: 'SLOs with their SLI, error budget remaining and burn rates' } }, (req) => listSlos(deps, req));
  app.get(
    '/api/v1/slos/:name',
    {
      schema: {
        tags: ['slos'],
        summary: 'One SLO with its error budget and burn rates over time',
        querystring: z.toJSONSchema(SloSeriesQuerySchema, { io: 'input' }),
      },
    },
    (req) => sloDetail(deps, req),
  );
}
