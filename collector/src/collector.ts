// startCollector: everything main.ts does short of process concerns, so tests, the demo and
// benchmarks run the real collector in-process or as a child.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AlertEngine } from './alerts/engine.js';
import { buildApp, type AppDeps } from './app.js';
import { createAgentTokenStore, createDevTenantResolver } from './auth/agent-tokens.js';
import type { CollectorConfig } from './config.js';
import { AppError } from './errors.js';
import { serverCredentialsFromFiles, startGrpcServer } from './grpc/server.js';
import { createStorage, ensureDatabase, type Storage, type StorageOptions } from './storage/clickhouse.js';
import { CLUSTER_SESSION_SETTINGS, type ClusterTarget } from './storage/cluster-ddl.js';
import { migrate } from './storage/migrate.js';
import { createJobRunner } from './jobs.js';

export interface RunningCollector {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly storage: Storage;
  /** the SLO and alert evaluator (the `slo-evaluator` job when COLLECTOR_SLO_EVAL_INTERVAL_S > 0; tests call tick()) */
  readonly evaluator: AlertEngine;
  /** names of the background jobs running (jobs.ts) */
  readonly jobs: readonly string[];
  stop(): Promise<void>;
}

export function storageOptions(cfg: CollectorConfig): StorageOptions {
  return {
    url: cfg.COLLECTOR_CLICKHOUSE_URL,
    database: cfg.COLLECTOR_CLICKHOUSE_DATABASE,
    username: cfg.COLLECTOR_CLICKHOUSE_USER,
    password: cfg.COLLECTOR_CLICKHOUSE_PASSWORD,
    ...(cfg.COLLECTOR_CLICKHOUSE_CLUSTER === '' ? {} : { settings: CLUSTER_SESSION_SETTINGS }),
  };
}

/** Cluster mode's migration target (undefined = single node). */
export function clusterTarget(cfg: CollectorConfig): ClusterTarget | undefined {
  return cfg.COLLECTOR_CLICKHOUSE_CLUSTER === '' ? undefined : { cluster: cfg.COLLECTOR_CLICKHOUSE_CLUSTER, database: cfg.COLLECTOR_CLICKHOUSE_DATABASE };
}

/** Waits until ClickHouse answers /ping, or throws COL_ERR_STORAGE_UNREACHABLE naming the URL. */
export async function waitForClickHouse(cfg: CollectorConfig, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(new URL('/ping', cfg.COLLECTOR_CLICKHOUSE_URL), { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err: unknown) {
      last = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'COL_ERR_STORAGE_UNREACHABLE',
        `no answer from ${cfg.COLLECTOR_CLICKHOUSE_URL} within ${timeoutMs} ms (${last}); start ClickHouse or set COLLECTOR_CLICKHOUSE_URL`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Tokens file → tenant resolver; without one, dev mode (every agent is tenant "default"). */
function agentTenantResolver(cfg: CollectorConfig, log: Logger): NonNullable<AppDeps['resolveTenant']> {
  if (cfg.COLLECTOR_AGENT_TOKENS_FILE === '') return createDevTenantResolver(log);
  const store = createAgentTokenStore(cfg.COLLECTOR_AGENT_TOKENS_FILE, log);
  return (md) => store.resolve(md);
}

function tlsOptions(cfg: CollectorConfig): { https: { key: Buffer; cert: Buffer }; grpc: ReturnType<typeof serverCredentialsFromFiles> } | undefined {
  if (cfg.COLLECTOR_TLS_CERT_FILE === '' && cfg.COLLECTOR_TLS_KEY_FILE === '') {
    if (cfg.COLLECTOR_TLS_CLIENT_CA_FILE !== '')
      throw new AppError('COL_ERR_CONFIG_INVALID', 'COLLECTOR_TLS_CLIENT_CA_FILE needs COLLECTOR_TLS_CERT_FILE and COLLECTOR_TLS_KEY_FILE');
    return undefined;
  }
  if (cfg.COLLECTOR_TLS_CERT_FILE === '' || cfg.COLLECTOR_TLS_KEY_FILE === '') {
    throw new AppError('COL_ERR_CONFIG_INVALID', 'set both COLLECTOR_TLS_CERT_FILE and COLLECTOR_TLS_KEY_FILE, or neither');
  }
  const files = {
    certFile: cfg.COLLECTOR_TLS_CERT_FILE,
    keyFile: cfg.COLLECTOR_TLS_KEY_FILE,
    ...(cfg.COLLECTOR_TLS_CLIENT_CA_FILE === '' ? {} : { clientCaFile: cfg.COLLECTOR_TLS_CLIENT_CA_FILE }),
  };
  const grpc = serverCredentialsFromFiles(files);
  return { https: { key: readFileSync(files.keyFile), cert: readFileSync(files.certFile) }, grpc };
}

export async function startCollector(cfg: CollectorConfig, log: Logger, deps: Partial<Omit<AppDeps, 'storage' | 'log'>> = {}): Promise<RunningCollector> {
  // Credentials first: a bad tokens file or certificate fails before any waiting.
  const tls = tlsOptions(cfg);
  const resolveTenant = deps.resolveTenant ?? agentTenantResolver(cfg, log);
  await waitForClickHouse(cfg, cfg.COLLECTOR_START_TIMEOUT_MS);
  const opts = storageOptions(cfg);
  await ensureDatabase(opts);
  const storage = createStorage(opts);
  const cluster = clusterTarget(cfg);
  const m = await migrate(storage, undefined, cluster === undefined ? {} : { cluster });
  log.info(
    { applied: m.applied, repaired: m.repaired, alreadyApplied: m.alreadyApplied.length, database: opts.database, cluster: cluster?.cluster ?? '' },
    'migrations done',
  );
  const app = await buildApp(cfg, { storage, log, resolveTenant, ...(tls === undefined ? {} : { https: tls.https }), ...deps });
  await app.http.listen({ host: cfg.COLLECTOR_HOST, port: cfg.COLLECTOR_HTTP_PORT });
  const address = app.http.server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : cfg.COLLECTOR_HTTP_PORT;
  const grpc = await startGrpcServer(app.grpc, {
    host: cfg.COLLECTOR_HOST,
    port: cfg.COLLECTOR_GRPC_PORT,
    maxMessageBytes: cfg.COLLECTOR_MAX_MESSAGE_BYTES,
    ...app.grpcOptions,
    ...(tls === undefined ? {} : { credentials: tls.grpc }),
  });
  const jobs = createJobRunner(app.jobs, { log, metrics: app.jobMetrics });
  jobs.start();
  log.info({ httpPort, grpcPort: grpc.port, tls: tls !== undefined, mtls: cfg.COLLECTOR_TLS_CLIENT_CA_FILE !== '' }, 'collector listening');
  return {
    httpPort,
    grpcPort: grpc.port,
    storage,
    evaluator: app.evaluator,
    jobs: jobs.names,
    async stop() {
      await jobs.stop();
      await grpc.stop(3000);
      await app.http.close();
      await storage.close();
    },
  };
}
