// buildApp(config, deps): the HTTP app (not listening), the gRPC service implementation and the
// background jobs (described, not started). No side effects beyond reading the API keys once:
// startCollector (collector.ts) listens and runs the jobs (jobs.ts); tests call buildApp and use
// inject() or bind port 0.
import fastifySwagger from '@fastify/swagger';
import type { TelemetryServiceServer } from '@renderwatch/proto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorConfig } from './config.js';
import { createExportGate } from './grpc/export-gate.js';
import { createTransportRefusals } from './grpc/transport-refusals.js';
import type { GrpcServerOptions } from './grpc/server.js';
import { createTelemetryService, type TenantResolver } from './grpc/telemetry-service.js';
import { httpServerOptions, registerErrorHandler } from './http/error-handler.js';
import type { RequestAuthenticator } from './http/request-tenant.js';
import { createApiKeyAuth } from './http/api-keys.js';
import { registerApiRoutes } from './http/api-routes.js';
import { registerHealthRoutes } from './http/routes/health.js';
import { registerServiceRoutes } from './http/routes/service.js';
import type { AlertEngine } from './alerts/engine.js';
import { createSloAlerting } from './alerts/slo-alerting.js';
import { createJobMetrics, type Job, type JobMetrics } from './jobs.js';
import { retentionDays, retentionJob, retentionTarget } from './retention/retention.js';
import { capacityRefreshJob } from './storage/capacity-rollup.js';
import { createIngestService } from './ingest/ingest-service.js';
import { createCollectorMetrics } from './metrics/collector-metrics.js';
import type { Storage } from './storage/clickhouse.js';

export interface AppDeps {
  storage: Storage;
  log: Logger;
  now?: () => number;
  /** Agent token → tenant. Default: every agent is tenant "default" (no tokens configured). */
  resolveTenant?: TenantResolver;
  /** API key → tenant and role. Default: API keys (http/api-keys.ts); none configured = dev mode. */
  authenticate?: RequestAuthenticator;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  https?: { key: Buffer; cert: Buffer };
}

export interface App {
  http: FastifyInstance;
  grpc: TelemetryServiceServer;
  /** SLO and alert evaluator (the `slo-evaluator` job runs its tick; tests call tick() themselves) */
  evaluator: AlertEngine;
  /** Background jobs, not started: startCollector runs them (jobs.ts), counted in /metrics by `jobMetrics`. */
  jobs: Job[];
  jobMetrics: JobMetrics;
  /** What startGrpcServer needs beside the service: the pre-read token gate and the decode counter. */
  grpcOptions: Pick<GrpcServerOptions, 'interceptors' | 'onDecoded' | 'onPrefaceTimeout' | 'onRapidReset'>;
}

export async function buildApp(cfg: CollectorConfig, deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  const metrics = createCollectorMetrics();
  // Per-request lines only at debug: the http child logs at warn unless the root is more verbose.
  const httpLog = deps.log.child({ module: 'http' }, { level: deps.log.isLevelEnabled('debug') ? deps.log.level : 'warn' });
  const http = Fastify({
    loggerInstance: httpLog as FastifyBaseLogger,
    ...httpServerOptions(),
    ...(deps.https === undefined ? {} : { https: deps.https }),
  });
  // Input is validated once, by the shared zod schemas in each handler; JSON Schemas on routes
  // only document the API (OpenAPI), so Fastify's own validator is turned off.
  http.setValidatorCompiler(() => (data) => ({ value: data }));
  registerErrorHandler(http);
  await http.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'renderwatch collector API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  const keys = await createApiKeyAuth({
    storage: deps.storage,
    log: deps.log,
    now,
    bootstrapKey: cfg.COLLECTOR_API_ADMIN_KEY,
    bootstrapTenant: cfg.COLLECTOR_API_ADMIN_TENANT,
  });
  const alerting = createSloAlerting(cfg, { storage: deps.storage, log: deps.log, now, registry: metrics.registry });
  const evaluator = alerting.engine;
  const jobs: Job[] = [{ name: 'api-keys-refresh', intervalMs: cfg.COLLECTOR_API_KEYS_REFRESH_MS, run: keys.refresh }];
  if (cfg.COLLECTOR_SLO_EVAL_INTERVAL_S > 0) {
    jobs.push({ name: 'slo-evaluator', intervalMs: cfg.COLLECTOR_SLO_EVAL_INTERVAL_S * 1000, run: async () => void (await evaluator.tick()) });
  }
  if (cfg.COLLECTOR_RETENTION_INTERVAL_S > 0) {
    jobs.push(retentionJob(deps.storage, retentionDays(cfg), cfg.COLLECTOR_RETENTION_INTERVAL_S, now, deps.log, retentionTarget(cfg)));
  }
  if (cfg.COLLECTOR_CAPACITY_REFRESH_S > 0) jobs.push(capacityRefreshJob(deps.storage, cfg.COLLECTOR_CAPACITY_REFRESH_S, 2, now));
  const authenticate: RequestAuthenticator = deps.authenticate ?? keys.authenticate;
  registerHealthRoutes(http, { storage: deps.storage });
  registerApiRoutes(http, cfg, {
    storage: deps.storage,
    authenticate,
    keys,
    now,
    prices: cfg.COLLECTOR_GPU_PRICES,
    slos: alerting.slos,
    publicUrl: alerting.publicUrl,
  });
  await registerServiceRoutes(http, { registry: metrics.registry, dashboardDir: cfg.COLLECTOR_DASHBOARD_DIR });
  const ingest = createIngestService({
    storage: deps.storage,
    log: deps.log,
    maxBatchRows: cfg.COLLECTOR_MAX_BATCH_ROWS,
    hostLimits: {
      maxGpus: cfg.COLLECTOR_MAX_GPUS_PER_HOST,
      processesPerGpu: cfg.COLLECTOR_MAX_PROCESSES_PER_GPU,
      extensionsPerStart: cfg.COLLECTOR_MAX_EXTENSIONS_PER_START,
    },
    limits: { maxInFlight: cfg.COLLECTOR_INGEST_MAX_INFLIGHT, maxQueued: cfg.COLLECTOR_INGEST_QUEUE_MAX, retryAfterS: cfg.COLLECTOR_INGEST_RETRY_AFTER_S },
    grouping: { groupRows: cfg.COLLECTOR_INGEST_GROUP_ROWS, lingerMs: cfg.COLLECTOR_INGEST_LINGER_MS },
    now,
    onRejected: (rejections) => {
      for (const r of rejections) metrics.valuesRejected.inc({ field: r.field, reason: r.reason });
    },
  });
  const resolveTenant = deps.resolveTenant ?? (() => 'default');
  const gate = createExportGate({
    resolveTenant,
    maxConnectionBytes: 4 * cfg.COLLECTOR_MAX_MESSAGE_BYTES,
    maxGlobalBytes: 16 * cfg.COLLECTOR_MAX_MESSAGE_BYTES,
    retryAfterS: cfg.COLLECTOR_INGEST_RETRY_AFTER_S,
    log: deps.log,
    now,
    onRefused: (reason) => {
      metrics.grpcRefused.inc({ reason });
      // Still an Export call answered: it counts in exports_total as the handler would have counted it.
      metrics.exports.inc({ outcome: reason === 'unauthenticated' ? 'unauthenticated' : 'overloaded' });
    },
  });
  const lastConnectionLog = new Map<string, number>();
  /** A connection the gRPC server closed (grpc/server.ts): counted, logged once a minute per reason. */
  const connectionClosed = (reason: 'no_preface' | 'rapid_reset', msg: string): void => {
    metrics.grpcTransportRefused.inc({ reason });
    const t = now();
    if (t - (lastConnectionLog.get(reason) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
    lastConnectionLog.set(reason, t);
    deps.log.warn({ module: 'grpc.transport', reason }, msg);
  };
  // First: it sees grpc-js's own statuses (grpc/transport-refusals.ts), then the token gate.
  const transport = createTransportRefusals({
    maxMessageBytes: cfg.COLLECTOR_MAX_MESSAGE_BYTES,
    log: deps.log,
    now,
    onRefused: (reason) => {
      metrics.grpcTransportRefused.inc({ reason });
      metrics.exports.inc({ outcome: reason === 'deadline' ? 'deadline' : 'rejected' });
    },
  });
  const grpcOptions = {
    interceptors: [transport, gate.interceptor],
    onDecoded: (bytes: number) => metrics.grpcDecodedBytes.inc(bytes),
    onPrefaceTimeout: () => connectionClosed('no_preface', 'gRPC connection closed: no HTTP/2 preface in time (logged once a minute)'),
    onRapidReset: () => connectionClosed('rapid_reset', 'gRPC connection closed: too many streams reset (logged once a minute)'),
  };
  const grpc = createTelemetryService({
    ingest,
    log: deps.log,
    resolveTenant,
    onResult: (outcome, rows) => {
      metrics.exports.inc({ outcome });
      if (rows > 0) metrics.rows.inc(rows);
    },
    onWritten: (rows) => {
      if (rows > 0) metrics.rows.inc(rows);
    },
  });
  return { http, grpc, evaluator, grpcOptions, jobs, jobMetrics: createJobMetrics(metrics.registry) };
}
