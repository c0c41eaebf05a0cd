// Wires OTLP export from the agent config: off (undefined) unless AGENT_OTLP_ENDPOINT is set.
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { createOtlpExporter, parseOtlpHeaders } from './otlp-exporter.js';
import { createOtlpMetrics, type OtlpMetrics } from './otlp-metrics.js';

type OtlpConfig = Pick<
  AgentConfig,
  'AGENT_OTLP_ENDPOINT' | 'AGENT_OTLP_PROTOCOL' | 'AGENT_OTLP_INTERVAL_MS' | 'AGENT_OTLP_TIMEOUT_MS' | 'AGENT_OTLP_HEADERS' | 'hostname' | 'agentId'
>;

export function otlpFromConfig(cfg: OtlpConfig, log: Logger, agentVersion?: string): OtlpMetrics | undefined {
  if (cfg.AGENT_OTLP_ENDPOINT === '') return undefined;
  const exporter = createOtlpExporter({
    endpoint: cfg.AGENT_OTLP_ENDPOINT,
    protocol: cfg.AGENT_OTLP_PROTOCOL,
    headers: parseOtlpHeaders(cfg.AGENT_OTLP_HEADERS),
    timeoutMs: cfg.AGENT_OTLP_TIMEOUT_MS,
  });
  log
    .child({ module: 'otlp' })
    .info({ endpoint: cfg.AGENT_OTLP_ENDPOINT, protocol: cfg.AGENT_OTLP_PROTOCOL, intervalMs: cfg.AGENT_OTLP_INTERVAL_MS }, 'otlp metrics export on');
  return createOtlpMetrics({
    exporter,
    intervalMs: cfg.AGENT_OTLP_INTERVAL_MS,
    timeoutMs: cfg.AGENT_OTLP_TIMEOUT_MS,
    hostName: cfg.hostname,
    agentId: cfg.agentId,
    agentVersion,
  });
}
