// Whether and how OTLP export runs, from the agent's keys and the standard OpenTelemetry variables
// (config's `otelEnv`). The OTEL_* variables win: an option the environment sets is left out of
// what the agent passes, so the SDK's own environment handling reads it (the OpenTelemetry JS
// exporters let code options override the environment). The AGENT_OTLP_* keys are defaults only.
// Pure: no import of the SDK here, so a daemon with OTLP off never loads it.
import type { AgentConfig } from '../config.js';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export type OtlpPlanConfig = Pick<
  AgentConfig,
  'AGENT_OTLP_ENDPOINT' | 'AGENT_OTLP_PROTOCOL' | 'AGENT_OTLP_INTERVAL_MS' | 'AGENT_OTLP_TIMEOUT_MS' | 'AGENT_OTLP_HEADERS' | 'hostname' | 'agentId'
> & { readonly otelEnv?: Readonly<Record<string, string>> };

export interface OtlpPlan {
  protocol: OtlpProtocol;
  /** Passed to the exporter; undefined = the SDK reads OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT. */
  endpoint?: string;
  /** Passed to the exporter; undefined = the SDK reads OTEL_EXPORTER_OTLP_(METRICS_)HEADERS. */
  headers?: Record<string, string>;
  /** Passed to the exporter; undefined = the SDK reads OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT. */
  timeoutMs?: number;
  /** Reader interval and export deadline (OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT, else the agent's keys). */
  intervalMs: number;
  exportTimeoutMs: number;
  /** Where the endpoint came from, for the start-up log line. */
  endpointFrom: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'AGENT_OTLP_ENDPOINT';
  /** OTEL_* values that could not be used (logged once, the agent's value is used instead). */
  ignored: string[];
}

const positiveMs = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** undefined = OTLP off (no endpoint anywhere, OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none). */
export function planOtlp(cfg: OtlpPlanConfig): OtlpPlan | undefined {
  const env = cfg.otelEnv ?? {};
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (
    env.OTEL_METRICS_EXPORTER?.split(',')
      .map((s) => s.trim())
      .includes('none') === true
  )
    return undefined;
  const endpointFrom =
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT !== undefined
      ? 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'
      : env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
        ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
        : 'AGENT_OTLP_ENDPOINT';
  if (endpointFrom === 'AGENT_OTLP_ENDPOINT' && cfg.AGENT_OTLP_ENDPOINT === '') return undefined;
  const ignored: string[] = [];
  const rawProtocol = env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  let protocol: OtlpProtocol = cfg.AGENT_OTLP_PROTOCOL;
  if (rawProtocol !== undefined) {
    if ((OTLP_PROTOCOLS as readonly string[]).includes(rawProtocol.trim())) protocol = rawProtocol.trim() as OtlpProtocol;
    else ignored.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${rawProtocol}`);
  }
  const envHeaders = env.OTEL_EXPORTER_OTLP_METRICS_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS;
  const envTimeout = env.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT;
  const intervalMs = positiveMs(env.OTEL_METRIC_EXPORT_INTERVAL) ?? cfg.AGENT_OTLP_INTERVAL_MS;
  if (env.OTEL_METRIC_EXPORT_INTERVAL !== undefined && positiveMs(env.OTEL_METRIC_EXPORT_INTERVAL) === undefined)
    ignored.push(`OTEL_METRIC_EXPORT_INTERVAL=${env.OTEL_METRIC_EXPORT_INTERVAL}`);
  const timeoutMs = positiveMs(envTimeout) ?? cfg.AGENT_OTLP_TIMEOUT_MS;
  const exportTimeoutMs = Math.min(positiveMs(env.OTEL_METRIC_EXPORT_TIMEOUT) ?? timeoutMs, intervalMs);
  return {
    protocol,
    ...(endpointFrom === 'AGENT_OTLP_ENDPOINT' ? { endpoint: cfg.AGENT_OTLP_ENDPOINT } : {}),
    ...(envHeaders === undefined ? { headers: cfg.AGENT_OTLP_HEADERS } : {}),
    ...(envTimeout === undefined ? { timeoutMs: cfg.AGENT_OTLP_TIMEOUT_MS } : {}),
    intervalMs,
    exportTimeoutMs,
    endpointFrom,
    ignored,
  };
}
