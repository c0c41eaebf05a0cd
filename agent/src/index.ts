// Public API of @renderwatch/agent for the simulator, tests and benchmarks (the daemon's own entry
// is cli.ts). Named exports only.
export { AGENT_VERSION, createAgent } from './agent.js';
export type { Agent, AgentDeps, AgentObserver, EventSource, HostSource } from './agent.js';
export { AgentConfigSchema, resolveAgentConfig } from './config.js';
export type { AgentConfig } from './config.js';
export { AGENT_ERRORS } from './errors.js';
export { createBatcher, nextSeqStart } from './export/batcher.js';
export type { Batcher, BatcherOptions } from './export/batcher.js';
export { classify, createExportClient } from './export/export-client.js';
export type { ExportClient, ExportClientOptions, SendResult } from './export/export-client.js';
export { backoffMs, createInOrderSender } from './export/in-order-sender.js';
export type { InOrderSender, SenderOptions } from './export/in-order-sender.js';
export { eventToWire, gpuToWire, hostToWire, statusToWire } from './export/to-wire.js';
export type { HostSnapshotLike, TimedEvent } from './export/to-wire.js';
export type { GpuSampleResult, GpuSampler, GpuSnapshot, GpuStatusChange } from './sampling/sampler.js';
export { createAgentMetrics, PROMTOOL_REJECTED_DEFAULTS } from './metrics/agent-metrics.js';
export type { AgentMetrics, AgentMetricsOptions } from './metrics/agent-metrics.js';
export { SAMPLE_SOURCES } from './metrics/labels.js';
export type { SampleSource } from './metrics/labels.js';
export { startMetricsServer } from './metrics/metrics-server.js';
export type { MetricsServer, MetricsServerOptions } from './metrics/metrics-server.js';
export { createOtlpExporter, httpMetricsUrl, parseOtlpHeaders, OTLP_PROTOCOLS } from './otlp/otlp-exporter.js';
export type { OtlpExporterOptions, OtlpProtocol } from './otlp/otlp-exporter.js';
export { createOtlpMetrics, gpuAttributes } from './otlp/otlp-metrics.js';
export type { OtlpMetrics, OtlpMetricsOptions } from './otlp/otlp-metrics.js';
export { otlpFromConfig } from './otlp/otlp-from-config.js';
