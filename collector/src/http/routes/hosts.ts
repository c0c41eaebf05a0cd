// GET /api/v1/hosts/:host/series: per-GPU series, host series (compact: arrays per field), throttle
// bands, markers, processes.
import { HostParamsSchema, HostSeriesQuerySchema, seriesTimes, toSeriesColumns, type HostSeriesResponse } from '@renderwatch/schema';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { queryGpuSeries, queryHostPoints, queryMarkers, queryProcesses, throttleBands } from '../../storage/queries/host-series.js';
import { resolveRange } from '../../storage/resolution.js';
import { parseInput } from '../parse-input.js';
import { cacheKey, scopeFor, type QueryDeps } from '../query-context.js';

export function registerHostRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get(
    '/api/v1/hosts/:host/series',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Time series of one host and its GPUs with throttle bands, event markers and GPU processes',
        params: z.toJSONSchema(HostParamsSchema, { io: 'input' }),
        querystring: z.toJSONSchema(HostSeriesQuerySchema, { io: 'input' }),
      },
    },
    (req): Promise<HostSeriesResponse> => {
      const s = scopeFor(deps, req);
      const { host } = parseInput(HostParamsSchema, req.params);
      const q = parseInput(HostSeriesQuerySchema, req.query);
      const r = resolveRange(q, deps.now(), deps.limits);
      return deps.cache.get(cacheKey(s, req), async () => {
        const [gpus, hostPoints, markers, processes] = await Promise.all([
          queryGpuSeries(s, r, host, deps.maxGpusPerHost, q.gpu_uuid),
          queryHostPoints(s, r, host),
          queryMarkers(s, r, host),
          queryProcesses(s, host, r.to, deps.maxGpusPerHost),
        ]);
        const times = seriesTimes(gpus, hostPoints);
        return {
          from: r.from.toISOString(),
          to: r.to.toISOString(),
          step_s: r.stepS,
          resolution: r.resolution,
          host,
          times,
          ...toSeriesColumns(times, gpus, hostPoints),
          throttle_bands: throttleBands(gpus, r.stepS),
          markers: markers.markers,
          markers_truncated: markers.truncated,
          processes: q.gpu_uuid === undefined ? processes : processes.filter((p) => p.gpu_uuid === q.gpu_uuid),
        };
      });
    },
  );
}
