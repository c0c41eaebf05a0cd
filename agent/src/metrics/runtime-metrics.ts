// Counters and histograms from runtime events (jobs, OOMs, model loads, starts, queue, training).
// Labels are the host and bounded enums only; job ids, models and messages stay in the events.
import type { RuntimeEvent } from '@renderwatch/schema';
import { TextCounter, TextGauge, TextHistogram, type TextRegistry } from './text-registry.js';
import { modelSourceLabel, oomCauseLabel, outcomeLabel, runtimeLabel } from './labels.js';

const DURATION_BUCKETS_S = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const LOAD_BUCKETS_S = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const STARTUP_BUCKETS_S = [5, 10, 30, 60, 120, 300, 600, 1200, 1800];

type R = 'host' | 'runtime';

const nonNeg = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v >= 0;

export interface RuntimeMetrics {
  observeEvent(e: RuntimeEvent): void;
}

export function createRuntimeMetrics(registry: TextRegistry, host: string): RuntimeMetrics {
  const reg = [registry];
  const events = new TextCounter<R | 'kind'>({
    name: 'renderwatch_runtime_events_total',
    help: 'Runtime events parsed, by kind.',
    labelNames: ['host', 'runtime', 'kind'],
    registers: reg,
  });
  const jobs = new TextCounter<R | 'outcome'>({
    name: 'renderwatch_jobs_total',
    help: 'Generation jobs finished, by outcome (ok, oom, error, interrupted, unknown).',
    labelNames: ['host', 'runtime', 'outcome'],
    registers: reg,
  });
  const jobDuration = new TextHistogram<R | 'outcome'>({
    name: 'renderwatch_job_duration_seconds',
    help: 'Duration of finished generation jobs, seconds.',
    labelNames: ['host', 'runtime', 'outcome'],
    buckets: DURATION_BUCKETS_S,
    registers: reg,
  });
  const images = new TextCounter<R>({
    name: 'renderwatch_images_total',
    help: 'Images produced by finished jobs.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const ooms = new TextCounter<R | 'cause'>({
    name: 'renderwatch_oom_total',
    help: 'CUDA out-of-memory errors, by diagnosed cause.',
    labelNames: ['host', 'runtime', 'cause'],
    registers: reg,
  });
  const oomRecovered = new TextCounter<R>({
    name: 'renderwatch_oom_recovered_total',
    help: 'Out-of-memory errors the runtime recovered from (e.g. tiled VAE retry).',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const loads = new TextCounter<R | 'source'>({
    name: 'renderwatch_model_loads_total',
    help: 'Model loads, by source (disk, cache, resident, unknown).',
    labelNames: ['host', 'runtime', 'source'],
    registers: reg,
  });
  const loadDuration = new TextHistogram<R | 'source'>({
    name: 'renderwatch_model_load_duration_seconds',
    help: 'Model load duration, seconds.',
    labelNames: ['host', 'runtime', 'source'],
    buckets: LOAD_BUCKETS_S,
    registers: reg,
  });
  const starts = new TextCounter<R>({
    name: 'renderwatch_runtime_starts_total',
    help: 'Runtime process starts.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const startup = new TextHistogram<R>({
    name: 'renderwatch_runtime_startup_seconds',
    help: 'Runtime start to ready, as the runtime states it, seconds.',
    labelNames: ['host', 'runtime'],
    buckets: STARTUP_BUCKETS_S,
    registers: reg,
  });
  const errors = new TextCounter<R>({
    name: 'renderwatch_runtime_errors_total',
    help: 'Errors logged by the runtime.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const pending = new TextGauge<R>({
    name: 'renderwatch_queue_pending_jobs',
    help: 'Jobs waiting in the runtime queue.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const running = new TextGauge<R>({
    name: 'renderwatch_queue_running_jobs',
    help: 'Jobs running in the runtime.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const cachedNodes = new TextCounter<R>({
    name: 'renderwatch_node_cache_hits_total',
    help: 'Workflow nodes served from the node-output cache (ComfyUI).',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const executedNodes = new TextCounter<R>({
    name: 'renderwatch_nodes_executed_total',
    help: 'Workflow nodes executed (ComfyUI).',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const outputImages = new TextCounter<R>({
    name: 'renderwatch_output_images_written_total',
    help: 'Image files written by the runtime.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const outputBytes = new TextCounter<R>({
    name: 'renderwatch_output_written_bytes_total',
    help: 'Bytes of output files written by the runtime.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const trainStep = new TextGauge<R>({ name: 'renderwatch_training_step', help: 'Current training step.', labelNames: ['host', 'runtime'], registers: reg });
  const trainLoss = new TextGauge<R>({
    name: 'renderwatch_training_loss',
    help: 'Last reported training loss.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });
  const checkpoints = new TextCounter<R>({
    name: 'renderwatch_training_checkpoints_total',
    help: 'Training checkpoints saved.',
    labelNames: ['host', 'runtime'],
    registers: reg,
  });

  // Label objects are made once per runtime (and per extra label value) and reused: a log line's
  // event allocates none, and the families' last-series cache (text-registry.ts) finds them.
  type Labels = Readonly<Record<string, string>>;
  const bases = new Map<string, Labels>();
  const more = new Map<Labels, Map<string, Map<string, Labels>>>();
  const base = (runtime: string): Labels => {
    let l = bases.get(runtime);
    if (l === undefined) {
      l = { host, runtime };
      bases.set(runtime, l);
    }
    return l;
  };
  const plus = (l: Labels, name: string, value: string): Labels => {
    let byName = more.get(l);
    if (byName === undefined) {
      byName = new Map();
      more.set(l, byName);
    }
    let byValue = byName.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      byName.set(name, byValue);
    }
    let x = byValue.get(value);
    if (x === undefined) {
      x = { ...l, [name]: value };
      byValue.set(value, x);
    }
    return x;
  };

  return {
    observeEvent(e) {
      const l = base(runtimeLabel(e.runtime));
      events.inc(plus(l, 'kind', e.kind));
      switch (e.kind) {
        case 'job_end': {
          const lo = plus(l, 'outcome', outcomeLabel(e.outcome));
          jobs.inc(lo);
          if (nonNeg(e.duration_s)) jobDuration.observe(lo, e.duration_s);
          if (nonNeg(e.images)) images.inc(l, e.images);
          break;
        }
        case 'oom':
          ooms.inc(plus(l, 'cause', oomCauseLabel(e.cause)));
          if (e.recovered === true) oomRecovered.inc(l);
          break;
        case 'model_load': {
          const ls = plus(l, 'source', modelSourceLabel(e.source));
          loads.inc(ls);
          if (nonNeg(e.duration_s)) loadDuration.observe(ls, e.duration_s);
          break;
        }
        case 'runtime_start':
          starts.inc(l);
          break;
        case 'runtime_ready':
          if (nonNeg(e.startup_s)) startup.observe(l, e.startup_s);
          break;
        case 'error':
          errors.inc(l);
          break;
        case 'queue':
          if (nonNeg(e.pending)) pending.set(l, e.pending);
          if (nonNeg(e.running)) running.set(l, e.running);
          break;
        case 'node_cache':
          if (nonNeg(e.cached_nodes)) cachedNodes.inc(l, e.cached_nodes);
          if (nonNeg(e.executed_nodes)) executedNodes.inc(l, e.executed_nodes);
          break;
        case 'output_written':
          if (nonNeg(e.images)) outputImages.inc(l, e.images);
          if (nonNeg(e.bytes)) outputBytes.inc(l, e.bytes);
          break;
        case 'training_progress':
          if (nonNeg(e.step)) trainStep.set(l, e.step);
          if (e.loss !== undefined && Number.isFinite(e.loss)) trainLoss.set(l, e.loss);
          break;
        case 'checkpoint_saved':
          checkpoints.inc(l);
          break;
        default:
          break;
      }
    },
  };
}
