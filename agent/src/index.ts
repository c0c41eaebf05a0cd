// Public API of @renderwatch/agent for the simulator, tests and benchmarks (the daemon's own entry
// is cli.ts): the pipeline factory and the types it takes and gives, plus the few pure helpers a
// caller needs to feed it (config resolution, an Export client, log parsing for benchmarks).
// Named exports only.
export { AGENT_VERSION } from './agent.js';
export type { Agent, AgentObserver, EventSource, HostSource } from './agent.js';
export { createAgentPipeline, exportClientFromConfig, tlsWanted } from './pipeline.js';
export type { AgentPipeline, AgentPipelineDeps, PipelineConfig } from './pipeline.js';
export { AgentConfigSchema, resolveAgentConfig } from './config.js';
export type { AgentConfig } from './config.js';
export { AGENT_ERRORS } from './errors.js';
export { createBatcher, nextSeqStart } from './export/batcher.js';
export type { Batcher, BatcherOptions } from './export/batcher.js';
export type { BatchStore, StoredBatch } from './export/batch-store.js';
export { clientCredentialsFromFiles, createExportClient } from './export/export-client.js';
export type { ClientTlsFiles, ExportClient, ExportClientOptions } from './export/export-client.js';
export { backoffMs } from './export/send-result.js';
export type { SendOutcome, SendResult } from './export/send-result.js';
export type { Checkpoint, Spool, SpoolStats } from './export/spool.js';
export type { HostSnapshotLike, TimedEvent } from './export/to-wire.js';
export { parseLogText } from './runtime-logs/parser-session.js';
export { classifyLoad, classifyWindow, LOAD_RULES, START_RULES } from './signals/cold-warm.js';
export type { LoadEvidence, WindowEvidence } from './signals/cold-warm.js';
export { StartTracker } from './signals/start-tracker.js';
export type { StartTrackerOptions, TimedRuntimeEvent } from './signals/start-tracker.js';
// The ComfyUI adapter on its own, for tests that drive it against a real or fake ComfyUI.
export { createComfyuiApiSource } from './runtime-api/comfyui-api-source.js';
export type { ComfyuiApiSource, ComfyuiApiSourceOptions } from './runtime-api/comfyui-api-source.js';
export type { GpuSampleResult, GpuSampler, GpuSnapshot, GpuStatusChange } from './sampling/sampler.js';
export { buildGpuSampler } from './sources/gpu-from-config.js';
export { buildLogSources } from './sources/log-sources.js';
export { createAgentMetrics, PROMTOOL_REJECTED_DEFAULTS } from './metrics/agent-metrics.js';
export type { AgentMetrics, AgentMetricsOptions } from './metrics/agent-metrics.js';
export { startMetricsServer } from './metrics/metrics-server.js';
export type { MetricsServer, MetricsServerOptions } from './metrics/metrics-server.js';
// Internals still imported by the simulator, e2e harnesses and benchmarks that have not moved to
// createAgentPipeline yet; new code must not use them (they go once their last importer moved).
export { createAgent } from './agent.js';
export { createMemoryStore } from './export/batch-store.js';
export type { MemoryStore } from './export/batch-store.js';
export { createRetryingSender } from './export/retrying-sender.js';
export type { RetryingSender, RetryingSenderOptions } from './export/retrying-sender.js';
export { openSpool } from './export/spool.js';
export type { SpoolOptions } from './export/spool.js';
export { eventToWire, gpuToWire, hostToWire, statusToWire } from './export/to-wire.js';
export { queryNvidiaSmiOnce } from './sampling/nvidia-smi.js';
export { createNvmlSampler } from './sampling/nvml.js';
