import { TimeseriesQuerySchema, type FleetResponse, type UtilizationResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Storage } from '../../storage/clickhouse.js';
import { queryFleet, queryUtilization } from '../../storage/queries/fleet.js';
import { parseInput } from '../parse-input.js';
import type { RequestAuthenticator } from '../request-tenant.js';

export interface FleetDeps {
  storage: Storage;
  authenticate: RequestAuthenticator;
  silentAfterS: number;
  now: () => number;
}

/** Picks a step that gives at most ~`points` buckets over the range. */
export function defaultStep(rangeS: number, points = 240): number {
  const nice = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  return nice.find((s) => rangeS / s <= points) ?? 86400;
}

export function registerFleetRoutes(app: FastifyInstance, deps: FleetDeps): void {
  app.get(
    '/api/v1/fleet',
    { schema: { tags: ['fleet'], summary: 'Hosts with their GPUs and latest values' } },
    async (req): Promise<FleetResponse> => {
      const { tenant } = deps.authenticate(req);
      const now = new Date(deps.now());
      const hosts = await queryFleet(deps.storage, tenant, now, deps.silentAfterS);
      return { generated_at: now.toISOString(), silent_after_s: deps.silentAfterS, hosts };
    },
  );
  app.get(
    '/api/v1/fleet/utilization',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Mean GPU utilization and VRAM use per host over time',
        querystring: z.toJSONSchema(TimeseriesQuerySchema, { io: 'input' }),
      },
    },
    async (req): Promise<UtilizationResponse> => {
      const { tenant } = deps.authenticate(req);
      const q = parseInput(TimeseriesQuerySchema, req.query);
      const to = q.to === undefined ? new Date(deps.now()) : new Date(q.to);
      const from = q.from === undefined ? new Date(to.getTime() - 3600_000) : new Date(q.from);
      const rangeS = Math.max(1, (to.getTime() - from.getTime()) / 1000);
      const stepS = q.step_s ?? defaultStep(rangeS);
      const points = await queryUtilization(deps.storage, tenant, from, to, stepS, q.host);
      return { from: from.toISOString(), to: to.toISOString(), step_s: stepS, resolution: 'raw', points };
    },
  );
}
