// Public API of @renderwatch/agent (the daemon's own entry is cli.ts): the pipeline factory, the
// config it takes, and types. Every agent — the daemon, the simulator's virtual hosts, the e2e
// harnesses and the benchmarks — is built by createAgentPipeline; the loop, batcher, spool and
// retrying sender are not exported, so none can be wired by hand. Pieces for tools that are not an
// agent (wire clients that send hand-made batches, log parsing, metrics rendering, generated docs)
// are in `@renderwatch/agent/harness` (harness.ts). Named exports only.
export { createAgentPipeline } from './pipeline.js';
export type { AgentPipeline, AgentPipelineDeps, PipelineConfig } from './pipeline.js';
export { resolveAgentConfig } from './config.js';
export type { AgentConfig, AgentConfigResult } from './config.js';
export type { Agent, AgentObserver, EventSource, HostSource } from './agent.js';
export type { GpuSampleResult, GpuSampler, GpuSnapshot, GpuStatusChange } from './sampling/sampler.js';
export type { HostSnapshotLike, TimedEvent } from './export/to-wire.js';
export type { ClientTlsFiles, ExportClient, ExportClientOptions } from './export/export-client.js';
export type { SendOutcome, SendResult } from './export/send-result.js';
export type { RetryingSender } from './export/retrying-sender.js';
export type { BatchStore, StoredBatch } from './export/batch-store.js';
export type { Checkpoint, Spool, SpoolStats } from './export/spool.js';
