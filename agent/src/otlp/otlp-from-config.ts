// Wires OTLP export from the agent config: off (undefined) unless an endpoint is configured, by
// AGENT_OTLP_ENDPOINT or the standard OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT (otlp-plan.ts). The SDK
// (about 15 MB of RSS) is imported only then, so a daemon without OTLP never loads it.
import type { Logger } from 'pino';
import type { OtlpMetrics } from './otlp-metrics.js';
import { planOtlp, type OtlpPlanConfig } from './otlp-plan.js';

export async function otlpFromConfig(cfg: OtlpPlanConfig, log: Logger, agentVersion?: string): Promise<OtlpMetrics | undefined> {
  const plan = planOtlp(cfg);
  if (plan === undefined) return undefined;
  const [{ createOtlpExporter }, { createOtlpMetrics }] = await Promise.all([import('./otlp-exporter.js'), import('./otlp-metrics.js')]);
  const exporter = createOtlpExporter({
    protocol: plan.protocol,
    ...(plan.endpoint === undefined ? {} : { endpoint: plan.endpoint }),
    ...(plan.headers === undefined ? {} : { headers: plan.headers }),
    ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
  });
  const l = log.child({ module: 'otlp' });
  if (plan.ignored.length > 0) l.warn({ ignored: plan.ignored }, 'unusable OTEL_* values ignored; the AGENT_OTLP_* defaults apply');
  l.info(
    { endpoint: plan.endpoint ?? `(${plan.endpointFrom})`, protocol: plan.protocol, intervalMs: plan.intervalMs, endpointFrom: plan.endpointFrom },
    'otlp metrics export on',
  );
  return createOtlpMetrics({
    exporter,
    intervalMs: plan.intervalMs,
    timeoutMs: plan.exportTimeoutMs,
    hostName: cfg.hostname,
    agentId: cfg.agentId,
    agentVersion,
  });
}
