// Everything the daemon needs to expose its readings to Prometheus and OTLP, from its config:
// the registry (+ /metrics server unless AGENT_METRICS_PORT is 0) and the OTLP exporter (when
// AGENT_OTLP_ENDPOINT is set). Both are AgentObservers: `createAgent(cfg, { observers })`.
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { otlpFromConfig } from '../otlp/otlp-from-config.js';
import type { OtlpMetrics } from '../otlp/otlp-metrics.js';
import { createAgentMetrics, type AgentMetrics, type AgentMetricsOptions } from './agent-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

type TelemetryConfig = Parameters<typeof otlpFromConfig>[0] & Pick<AgentConfig, 'AGENT_METRICS_HOST' | 'AGENT_METRICS_PORT' | 'AGENT_METRICS_COMPAT'>;

export interface TelemetrySinks {
  readonly metrics: AgentMetrics;
  readonly otlp: OtlpMetrics | undefined;
  readonly server: MetricsServer | undefined;
  /** The observers to hand to createAgent. */
  readonly observers: readonly (AgentMetrics | OtlpMetrics)[];
  /** Stops the /metrics server and flushes + shuts down OTLP. */
  stop(): Promise<void>;
}

export interface TelemetryOptions {
  /** Answers /healthz; default: always healthy. */
  healthy?: () => boolean;
  /** The daemon's runtime log sources, whose refused lines /metrics counts (renderwatch_model_download_parse_errors_total). */
  logSources?: AgentMetricsOptions['logSources'];
}

export async function startTelemetrySinks(cfg: TelemetryConfig, log: Logger, agentVersion?: string, o: TelemetryOptions = {}): Promise<TelemetrySinks> {
  const { healthy, logSources } = o;
  const metrics = createAgentMetrics({
    host: cfg.hostname,
    agentVersion,
    compat: cfg.AGENT_METRICS_COMPAT,
    ...(logSources === undefined ? {} : { logSources }),
  });
  const server =
    cfg.AGENT_METRICS_PORT === 0
      ? undefined
      : await startMetricsServer({
          host: cfg.AGENT_METRICS_HOST,
          port: cfg.AGENT_METRICS_PORT,
          registry: metrics.registry,
          log,
          healthy,
          extra: (open) => metrics.sampleBytes(open),
        });
  const otlp = await otlpFromConfig(cfg, log, agentVersion);
  return {
    metrics,
    otlp,
    server,
    observers: otlp === undefined ? [metrics] : [metrics, otlp],
    async stop() {
      await Promise.allSettled([server?.close(), otlp?.shutdown()]);
    },
  };
}
