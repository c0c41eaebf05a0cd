// `@renderwatch/agent/harness`: pieces for tools that are not an agent — test harnesses and
// benchmarks that play a wire client (a batcher and an Export client sending hand-made batches to a
// collector), parse logs or classify starts the way the agent does, render the agent's /metrics,
// drive the ComfyUI adapter against a fake, sample the fake NVML, or generate docs from the config
// schema and error registry. An agent is built only by createAgentPipeline (index.ts); nothing here
// wires a sender, store or spool. Named exports only.
export { AgentConfigSchema } from './config.js';
export { AGENT_ERRORS } from './errors.js';
export { createBatcher } from './export/batcher.js';
export type { Batcher, BatcherOptions } from './export/batcher.js';
export { clientCredentialsFromFiles, createExportClient } from './export/export-client.js';
export { parseLogText } from './runtime-logs/parser-session.js';
export { classifyWindow } from './signals/cold-warm.js';
export type { WindowEvidence } from './signals/cold-warm.js';
export { StartTracker } from './signals/start-tracker.js';
export type { StartTrackerOptions, TimedRuntimeEvent } from './signals/start-tracker.js';
export { createComfyuiApiSource } from './runtime-api/comfyui-api-source.js';
export type { ComfyuiApiSource, ComfyuiApiSourceOptions } from './runtime-api/comfyui-api-source.js';
export { buildLogSources } from './sources/log-sources.js';
export { createAgentMetrics } from './metrics/agent-metrics.js';
export type { AgentMetrics, AgentMetricsOptions } from './metrics/agent-metrics.js';
export { startMetricsServer } from './metrics/metrics-server.js';
export type { MetricsServer, MetricsServerOptions } from './metrics/metrics-server.js';
export { createNvmlSampler } from './sampling/nvml.js';
