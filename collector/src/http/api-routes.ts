// Registers every /api/v1 route: the read API, SLOs and alerts, and the key admin API; app.ts calls this once.
import type { FastifyInstance } from 'fastify';
import type { CollectorConfig } from '../config.js';
import type { Storage } from '../storage/clickhouse.js';
import type { ApiKeyAuth } from './api-keys.js';
import { createAnswerCache, type QueryDeps } from './query-context.js';
import type { RequestAuthenticator } from './request-tenant.js';
import type { GpuPrice } from '../storage/queries/gpu-prices.js';
import type { SloSource } from '../slo/slo-source.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerSloRoutes } from './routes/slos.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerCapacityRoutes } from './routes/capacity.js';
import { registerCostRoutes } from './routes/cost.js';
import { registerEventRoutes } from './routes/events.js';
import { registerFleetRoutes } from './routes/fleet.js';
import { registerHostRoutes } from './routes/hosts.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerOomRoutes } from './routes/ooms.js';
import { registerOverviewRoutes } from './routes/overview.js';
import { registerSlowdownRoutes } from './routes/slowdowns.js';
import { registerStartRoutes } from './routes/starts.js';
import { registerVersionRoutes } from './routes/versions.js';
import { registerTimeGuard } from './time-guard.js';
import { registerJsonBody } from './json-body.js';

export function registerApiRoutes(
  app: FastifyInstance,
  cfg: CollectorConfig,
  o: {
    storage: Storage;
    authenticate: RequestAuthenticator;
    keys: ApiKeyAuth;
    now: () => number;
    prices: readonly GpuPrice[];
    /** the SLO file the evaluator reads (alerts/slo-alerting.ts) and the collector's public URL */
    slos: SloSource;
    publicUrl: string;
  },
): void {
  const deps: QueryDeps = {
    storage: o.storage,
    authenticate: o.authenticate,
    now: o.now,
    silentAfterS: cfg.COLLECTOR_SILENT_AFTER_S,
    maxGpusPerHost: cfg.COLLECTOR_MAX_GPUS_PER_HOST,
    queryTimeoutS: cfg.COLLECTOR_API_QUERY_TIMEOUT_S,
    cache: createAnswerCache(cfg.COLLECTOR_API_CACHE_TTL_MS, o.now),
    limits: {
      maxRangeDays: cfg.COLLECTOR_API_MAX_RANGE_DAYS,
      maxPoints: cfg.COLLECTOR_API_MAX_POINTS,
      rawRetentionDays: cfg.COLLECTOR_RETENTION_RAW_DAYS,
      rollup1mRetentionDays: cfg.COLLECTOR_RETENTION_ROLLUP_1M_DAYS,
    },
  };
  // The key first, before the body is read or any parameter checked: a request without a valid key
  // gets 401 whatever else is wrong with it (it learns neither which parameters nor which routes exist).
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/')) o.authenticate(req);
  });
  registerJsonBody(app);
  registerTimeGuard(app, { now: o.now, maxRangeDays: cfg.COLLECTOR_API_MAX_RANGE_DAYS });
  registerFleetRoutes(app, deps);
  registerOverviewRoutes(app, deps);
  registerHostRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerOomRoutes(app, deps);
  registerSlowdownRoutes(app, deps);
  registerCapacityRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerStartRoutes(app, deps);
  registerCostRoutes(app, deps, o.prices);
  registerVersionRoutes(app, deps);
  registerCampaignRoutes(app, deps, o.prices);
  registerKeyRoutes(app, o.keys);
  registerSloRoutes(app, { storage: o.storage, authenticate: o.authenticate, now: o.now, slos: o.slos });
  registerAlertRoutes(app, { storage: o.storage, authenticate: o.authenticate, now: o.now, publicUrl: o.publicUrl });
}
