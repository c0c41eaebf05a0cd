// OTLP metrics from the agent through the OpenTelemetry SDK. GPU readings follow the semantic
// conventions for hardware (hw.gpu.*, hw.power, hw.energy, hw.temperature, hw.errors; host identity
// in host.* resource attributes); renderwatch's own signals are under renderwatch.*.
// GPU values are read by observable instruments from the latest snapshot at each export.
import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CLOCK_EVENT_REASONS, decodeClockEventReasons } from '@renderwatch/schema';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { memoryUsedRatio } from '../metrics/gpu-metrics.js';
import { createHwState, gpuAttributes, HW_STATES } from './otlp-hw-state.js';
import { modelSourceLabel, oomCauseLabel, outcomeLabel, runtimeLabel, sampleSourceLabel, xidLabel, type SampleSource } from '../metrics/labels.js';

export interface OtlpMetricsOptions {
  exporter: PushMetricExporter;
  intervalMs: number;
  timeoutMs: number;
  hostName: string;
  agentId: string;
  agentVersion?: string;
  /** Extra resource attributes (e.g. k8s.node.name from the downward API). */
  resource?: Readonly<Record<string, string>>;
  /** Resource detection from OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME (the SDK's envDetector); default true. */
  detectEnv?: boolean;
}

export interface OtlpMetrics {
  observeGpus(gpus: readonly GpuSnapshot[]): void;
  observeGpuStatus(changes: readonly GpuStatusChange[]): void;
  observeEvent(e: RuntimeEvent): void;
  sampleError(source: SampleSource): void;
  /** AgentObserver shape (agent.ts). */
  observeStatus(s: GpuStatusChange): void;
  observeSampleError(source: string): void;
  /** Exports what has been recorded now (tests, shutdown). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const JOB_BUCKETS_S = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const LOAD_BUCKETS_S = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

type Read = (g: GpuSnapshot) => number | undefined;

export function createOtlpMetrics(o: OtlpMetricsOptions): OtlpMetrics {
  // The agent's attributes are defaults: what OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME set wins (merge keeps the argument's).
  const defaults = resourceFromAttributes({
    'service.name': 'renderwatch-agent',
    'service.version': o.agentVersion ?? 'unknown',
    'service.instance.id': o.agentId,
    'host.name': o.hostName,
    ...o.resource,
  });
  const resource = o.detectEnv === false ? defaults : defaults.merge(detectResources({ detectors: [envDetector] }));
  const reader = new PeriodicExportingMetricReader({
    exporter: o.exporter,
    exportIntervalMillis: o.intervalMs,
    exportTimeoutMillis: Math.min(o.timeoutMs, o.intervalMs),
  });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('renderwatch-agent', o.agentVersion);
  let latest: readonly GpuSnapshot[] = [];
  const hw = createHwState();

  const observeEach = (result: ObservableResult, read: Read, extra: Attributes = {}): void => {
    for (const g of latest) {
      const v = read(g);
      if (v !== undefined && Number.isFinite(v)) result.observe(v, { ...gpuAttributes(g), ...extra });
    }
  };
  const gauge = (name: string, unit: string, description: string, read: Read, extra?: Attributes): void => {
    meter.createObservableGauge(name, { unit, description }).addCallback((r) => observeEach(r, read, extra));
  };
  const upDown = (name: string, unit: string, description: string, read: Read): void => {
    meter.createObservableUpDownCounter(name, { unit, description }).addCallback((r) => observeEach(r, read));
  };

  meter.createObservableGauge('hw.gpu.utilization', { unit: '1', description: 'Fraction of time spent in a specific task' }).addCallback((r) => {
    observeEach(r, (g) => g.utilization_gpu_ratio, { 'hw.gpu.task': 'general' });
    observeEach(r, (g) => g.peer?.encoder_utilization_ratio, { 'hw.gpu.task': 'encoder' });
    observeEach(r, (g) => g.peer?.decoder_utilization_ratio, { 'hw.gpu.task': 'decoder' });
  });
  upDown('hw.gpu.memory.usage', 'By', 'GPU memory used', (g) => g.memory_used_bytes);
  upDown('hw.gpu.memory.limit', 'By', 'GPU memory installed', (g) => g.memory_total_bytes);
  // Semantic conventions: the fraction of GPU memory used, as renderwatch_gpu_memory_utilization_ratio on /metrics.
  gauge('hw.gpu.memory.utilization', '1', 'Fraction of GPU memory used', memoryUsedRatio);
  gauge('renderwatch.gpu.memory.busy', '1', 'Fraction of time GPU memory was being read or written', (g) => g.utilization_memory_ratio);
  meter
    .createObservableCounter('hw.gpu.io', { unit: 'By', description: 'Received and transmitted bytes by the GPU (PCIe, integrated from the sampled rate)' })
    .addCallback((r) => {
      for (const [, t] of hw.io) {
        r.observe(Math.round(t.rx), { ...t.attrs, 'network.io.direction': 'receive' });
        r.observe(Math.round(t.tx), { ...t.attrs, 'network.io.direction': 'transmit' });
      }
    });
  meter
    .createObservableUpDownCounter('hw.status', { unit: '1', description: 'Operational status: 1 (true) or 0 (false) for each of the possible states' })
    .addCallback((r) => {
      for (const { attrs, state } of hw.statuses(latest)) for (const s of HW_STATES) r.observe(s === state ? 1 : 0, { ...attrs, 'hw.state': s });
    });
  gauge('hw.power', 'W', 'GPU power draw', (g) => g.power_draw_watts);
  gauge('hw.temperature', 'Cel', 'GPU core temperature', (g) => g.temperature_celsius);
  meter
    .createObservableCounter('hw.energy', { unit: 'J', description: 'Energy consumed by the GPU since the driver loaded' })
    .addCallback((r) => observeEach(r, (g) => g.energy_joules));
  meter.createObservableCounter('hw.errors', { unit: '{error}', description: 'GPU ECC errors' }).addCallback((r) => {
    observeEach(r, (g) => g.ecc_corrected_total, { 'error.type': 'corrected' });
    observeEach(r, (g) => g.ecc_uncorrected_total, { 'error.type': 'uncorrected' });
  });
  gauge('renderwatch.gpu.power.limit', 'W', 'Enforced GPU power limit', (g) => g.power_limit_watts);
  gauge('renderwatch.gpu.clock.sm', 'Hz', 'SM clock', (g) => (g.sm_clock_mhz === undefined ? undefined : g.sm_clock_mhz * 1e6));
  gauge('renderwatch.gpu.clock.sm.max', 'Hz', 'Maximum SM clock', (g) => (g.sm_clock_max_mhz === undefined ? undefined : g.sm_clock_max_mhz * 1e6));
  meter
    .createObservableGauge('renderwatch.gpu.clock_event.active', { unit: '1', description: '1 while an NVML clock-event (throttle) reason is active' })
    .addCallback((r) => {
      for (const g of latest) {
        const active = g.clock_event_reasons_mask !== undefined ? decodeClockEventReasons(g.clock_event_reasons_mask) : g.clock_event_reasons;
        if (active === undefined) continue;
        for (const reason of CLOCK_EVENT_REASONS) r.observe(active.includes(reason) ? 1 : 0, { ...gpuAttributes(g), 'renderwatch.clock_event.reason': reason });
      }
    });

  const xids = meter.createCounter('renderwatch.gpu.xid.errors', { unit: '{error}', description: 'XID errors reported by the driver' });
  const jobDuration = meter.createHistogram('renderwatch.job.duration', {
    unit: 's',
    description: 'Duration of finished generation jobs',
    advice: { explicitBucketBoundaries: JOB_BUCKETS_S },
  });
  const jobs = meter.createCounter('renderwatch.jobs', { unit: '{job}', description: 'Generation jobs finished, by outcome' });
  const images = meter.createCounter('renderwatch.images', { unit: '{image}', description: 'Images produced by finished jobs' });
  const ooms = meter.createCounter('renderwatch.oom.errors', { unit: '{error}', description: 'CUDA out-of-memory errors, by diagnosed cause' });
  const loadDuration = meter.createHistogram('renderwatch.model.load.duration', {
    unit: 's',
    description: 'Model load duration',
    advice: { explicitBucketBoundaries: LOAD_BUCKETS_S },
  });
  const startup = meter.createHistogram('renderwatch.runtime.startup.duration', { unit: 's', description: 'Runtime start to ready, as stated by the runtime' });
  const runtimeErrors = meter.createCounter('renderwatch.runtime.errors', { unit: '{error}', description: 'Errors logged by the runtime' });
  const sampleErrors = meter.createCounter('renderwatch.agent.sample.errors', { unit: '{error}', description: 'Failed reads, by source' });

  return {
    observeGpus(gpus) {
      latest = gpus.slice();
      hw.observeGpus(latest);
    },
    observeGpuStatus(changes) {
      for (const c of changes) {
        hw.observeStatus(c);
        if (c.status === 'xid')
          xids.add(1, { 'hw.id': c.gpu_uuid, 'hw.type': 'gpu', 'renderwatch.gpu.index': c.gpu_index, 'renderwatch.gpu.xid': xidLabel(c.xid) });
      }
    },
    observeEvent(e) {
      const base = { 'renderwatch.runtime': runtimeLabel(e.runtime) };
      switch (e.kind) {
        case 'job_end': {
          const attrs = { ...base, 'renderwatch.job.outcome': outcomeLabel(e.outcome) };
          jobs.add(1, attrs);
          if (e.duration_s !== undefined) jobDuration.record(e.duration_s, attrs);
          if (e.images !== undefined) images.add(e.images, base);
          break;
        }
        case 'oom':
          ooms.add(1, { ...base, 'renderwatch.oom.cause': oomCauseLabel(e.cause) });
          break;
        case 'model_load':
          if (e.duration_s !== undefined) loadDuration.record(e.duration_s, { ...base, 'renderwatch.model.source': modelSourceLabel(e.source) });
          break;
        case 'runtime_ready':
          if (e.startup_s !== undefined) startup.record(e.startup_s, base);
          break;
        case 'error':
          runtimeErrors.add(1, base);
          break;
        default:
          break;
      }
    },
    sampleError(source) {
      sampleErrors.add(1, { 'renderwatch.sample.source': sampleSourceLabel(source) });
    },
    observeStatus(s) {
      hw.observeStatus(s);
      if (s.status === 'xid')
        xids.add(1, { 'hw.id': s.gpu_uuid, 'hw.type': 'gpu', 'renderwatch.gpu.index': s.gpu_index, 'renderwatch.gpu.xid': xidLabel(s.xid) });
    },
    observeSampleError(source) {
      sampleErrors.add(1, { 'renderwatch.sample.source': sampleSourceLabel(source) });
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
