// The agent's Prometheus registry: GPU, host and runtime-event instruments plus the agent's own
// health (sample errors, export failures, queue depth) and, optionally, Node process metrics. The
// /metrics body is kept as bytes (text-registry.ts families, the per-sample GPU/host/peer families)
// and a scrape concatenates what is kept; only what changed since the last scrape is rendered again.
import type { RuntimeEvent } from '@renderwatch/schema';
import type { SendResult } from '../export/send-result.js';
import type { HostSnapshotLike } from '../export/to-wire.js';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { createCompatMetrics, type MetricsCompatMode } from './compat/compat-metrics.js';
import { createGpuMetrics, GPU_SAMPLE_FAMILIES, type GpuMetrics } from './gpu-metrics.js';
import { createHostMetrics, HOST_FAMILIES } from './host-metrics.js';
import { sampleSourceLabel, type SampleSource } from './labels.js';
import { registerParseErrorMetrics, type ParseErrorSource } from './parse-error-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { createRuntimeMetrics } from './runtime-metrics.js';
import { TextCounter, TextGauge, TextRegistry } from './text-registry.js';

export interface AgentMetricsOptions {
  /** Host name, the `host` label of every series. */
  host: string;
  agentVersion?: string;
  /** Node process metrics (process_*, nodejs_*); default true. */
  processMetrics?: boolean;
  /** GPU metric names to serve (AGENT_METRICS_COMPAT): renderwatch's own (`native`), dcgm-exporter's, nvidia_gpu_exporter's; default native. */
  compat?: readonly MetricsCompatMode[];
  /** The daemon's runtime log sources (sources/log-sources.ts): their refused-line counts, read at each scrape. */
  logSources?: readonly ParseErrorSource[];
}

export interface AgentMetrics {
  readonly registry: TextRegistry;
  observeGpus(gpus: readonly GpuSnapshot[], nowMs?: number): void;
  observeGpuStatus(changes: readonly GpuStatusChange[]): void;
  observeHost(h: HostSnapshotLike): void;
  observeEvent(e: RuntimeEvent): void;
  /** A failed read from a source; the daemon keeps running and counts it here. */
  sampleError(source: SampleSource): void;
  /** AgentObserver shape (agent.ts): one status change; any source name (unknown ones count as `other`). */
  observeStatus(s: GpuStatusChange): void;
  observeSampleError(source: string): void;
  /** The outcome of one Export call (SendResult.status) and the rows it carried. */
  /** One Export call, by the status of its SendResult (export/send-result.ts). */
  observeSend(status: SendResult['status'], rows: number): void;
  setQueuedBatches(n: number): void;
  /** The peer-compatible families (AGENT_METRICS_COMPAT) as exposition text, rendered once per sample. */
  compatText(openMetrics: boolean): string;
  /**
   * The per-sample families (native GPU, host, then the compat ones) as exposition text, rendered at
   * most once per sample and format; /metrics serves the registry's families followed by these.
   */
  sampleText(openMetrics: boolean): string;
  /** The per-sample families as bytes (what /metrics serves after the registry's), kept per sample and format. */
  sampleBytes(openMetrics: boolean): readonly Buffer[];
  /** The whole /metrics body as the bytes to write in order: the registry's, the per-sample ones, `# EOF` for OpenMetrics. */
  body(openMetrics: boolean): Buffer[];
  /** The whole /metrics body: the registry (agent, runtime, process) and sampleText. */
  text(openMetrics: boolean): Promise<string>;
  /** Names of every family served (registry + per-sample), for the docs check. */
  familyNames(): string[];
}

const NO_GPU_METRICS: GpuMetrics = { observeGpus: () => undefined, observeStatus: () => undefined, bytes: () => Buffer.alloc(0) };
const EOF = Buffer.from('# EOF\n');

export function createAgentMetrics(o: AgentMetricsOptions): AgentMetrics {
  const registry = new TextRegistry();
  if (o.processMetrics !== false) {
    // A lean set, not collectDefaultMetrics (process-metrics.ts says what that costs per scrape).
    registerProcessMetrics(registry);
  }
  const reg = [registry];
  const modes = o.compat ?? ['native'];
  const gpu = modes.includes('native') ? createGpuMetrics(registry, o.host) : NO_GPU_METRICS;
  const compat = createCompatMetrics(modes, o.host);
  const host = createHostMetrics(o.host);
  const runtime = createRuntimeMetrics(registry, o.host);
  registerParseErrorMetrics(registry, o.host, o.logSources ?? []);
  new TextGauge<'host' | 'version'>({ name: 'renderwatch_agent_info', help: 'Agent identity; always 1.', labelNames: ['host', 'version'], registers: reg }).set(
    { host: o.host, version: o.agentVersion ?? 'unknown' },
    1,
  );
  const sampleErrors = new TextCounter<'host' | 'source'>({
    name: 'renderwatch_agent_sample_errors_total',
    help: 'Failed reads, by source.',
    labelNames: ['host', 'source'],
    registers: reg,
  });
  const exportFailures = new TextCounter<'host' | 'kind'>({
    name: 'renderwatch_agent_export_failures_total',
    help: 'Export calls to the collector that failed, by kind (retryable, failed).',
    labelNames: ['host', 'kind'],
    registers: reg,
  });
  const exportedBatches = new TextCounter<'host'>({
    name: 'renderwatch_agent_exported_batches_total',
    help: 'Batches the collector acknowledged.',
    labelNames: ['host'],
    registers: reg,
  });
  const exportedRows = new TextCounter<'host'>({
    name: 'renderwatch_agent_exported_rows_total',
    help: 'Rows in batches the collector acknowledged.',
    labelNames: ['host'],
    registers: reg,
  });
  const queued = new TextGauge<'host'>({ name: 'renderwatch_agent_queued_batches', help: 'Batches waiting to be sent.', labelNames: ['host'], registers: reg });
  const lastSample = new TextGauge<'host'>({
    name: 'renderwatch_agent_last_gpu_sample_timestamp_seconds',
    help: 'Unix time of the last GPU sample.',
    labelNames: ['host'],
    registers: reg,
  });
  const l = { host: o.host };
  // The peer families' text is kept per sample (compat-metrics.ts); its bytes are made once per text.
  const compatBytes: [{ text: string; bytes: Buffer }, { text: string; bytes: Buffer }] = [
    { text: '', bytes: Buffer.alloc(0) },
    { text: '', bytes: Buffer.alloc(0) },
  ];
  const sampleBytes = (open: boolean): Buffer[] => {
    const c = compatBytes[open ? 1 : 0];
    const t = compat.text(open);
    if (t !== c.text) {
      c.text = t;
      c.bytes = Buffer.from(t);
    }
    return [gpu.bytes(open), host.bytes(open), c.bytes];
  };
  const sampleText = (open: boolean): string => Buffer.concat(sampleBytes(open)).toString('utf8');
  const body = (open: boolean): Buffer[] => {
    const out = registry.chunks(open);
    out.push(...sampleBytes(open));
    if (open) out.push(EOF);
    return out;
  };
  // Series that exist from the start, so rate() and absent() work before the first failure.
  for (const source of ['nvml', 'nvidia-smi', 'host', 'runtime_logs'] as const) sampleErrors.inc({ ...l, source }, 0);
  for (const kind of ['retryable', 'failed']) exportFailures.inc({ ...l, kind }, 0);
  exportedBatches.inc(l, 0);
  exportedRows.inc(l, 0);

  return {
    registry,
    observeGpus(gpus, nowMs = Date.now()) {
      gpu.observeGpus(gpus);
      compat.observeGpus(gpus, nowMs);
      lastSample.set(l, nowMs / 1000);
    },
    observeGpuStatus(changes) {
      gpu.observeStatus(changes);
      compat.observeStatus(changes);
    },
    observeHost: (h) => host.observeHost(h),
    observeEvent: (e) => runtime.observeEvent(e),
    sampleError(source) {
      sampleErrors.inc({ ...l, source: sampleSourceLabel(source) });
    },
    observeStatus(s) {
      gpu.observeStatus([s]);
      compat.observeStatus([s]);
    },
    observeSampleError(source) {
      sampleErrors.inc({ ...l, source: sampleSourceLabel(source) });
    },
    observeSend(status, rows) {
      if (status === 'ok') {
        exportedBatches.inc(l);
        if (Number.isFinite(rows) && rows > 0) exportedRows.inc(l, rows);
      } else {
        exportFailures.inc({ ...l, kind: status });
      }
    },
    setQueuedBatches(n) {
      queued.set(l, n);
    },
    compatText: (openMetrics) => compat.text(openMetrics),
    sampleText,
    sampleBytes,
    body,
    text(openMetrics) {
      return Promise.resolve(Buffer.concat(body(openMetrics)).toString('utf8'));
    },
    familyNames: () => [...registry.names(), ...(gpu === NO_GPU_METRICS ? [] : GPU_SAMPLE_FAMILIES), ...HOST_FAMILIES],
  };
}
