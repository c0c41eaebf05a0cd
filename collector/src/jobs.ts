// The collector's background work, in one place: each job is a name, an interval and a run (and
// optionally a stop). buildApp (./app.ts) only describes its jobs; startCollector (./collector.ts)
// starts them after the collector listens and stops them (waiting for a run in flight) before it
// closes. A run starts `intervalMs` after the previous one ended (never two at once), the first
// after `firstDelayMs`. Every run is counted in the collector's /metrics (runs, failures, duration);
// a failing job is logged when it starts failing and when it recovers, not on every run.
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface Job {
  readonly name: string;
  readonly intervalMs: number;
  /** Delay of the first run after start, ms (default: intervalMs). */
  readonly firstDelayMs?: number;
  run(): Promise<void>;
  /** Called once after the last run has ended. */
  stop?(): Promise<void> | void;
}

export interface JobRunner {
  /** The job names, in the order they were given. */
  readonly names: readonly string[];
  start(): void;
  /** Stops scheduling, waits for runs in flight, then calls each job's stop. */
  stop(): Promise<void>;
}

export interface JobMetrics {
  runs: Counter<'job'>;
  failures: Counter<'job'>;
  duration: Histogram<'job'>;
}

export function createJobMetrics(registry: Registry): JobMetrics {
  return {
    runs: new Counter({ name: 'renderwatch_collector_job_runs_total', help: 'Background job runs by job', labelNames: ['job'], registers: [registry] }),
    failures: new Counter({
      name: 'renderwatch_collector_job_failures_total',
      help: 'Background job runs that failed, by job',
      labelNames: ['job'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'renderwatch_collector_job_duration_seconds',
      help: 'Duration of background job runs, by job',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120],
      registers: [registry],
    }),
  };
}

export function createJobRunner(jobs: readonly Job[], deps: { log: Logger; metrics: JobMetrics }): JobRunner {
  const names = jobs.map((j) => j.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`two background jobs named ${dup}`);
  const log = deps.log.child({ module: 'jobs' });
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<void>>();
  let stopped = true;

  for (const j of jobs) {
    deps.metrics.runs.inc({ job: j.name }, 0);
    deps.metrics.failures.inc({ job: j.name }, 0);
  }

  async function runOnce(j: Job, failing: { now: boolean }): Promise<void> {
    const end = deps.metrics.duration.startTimer({ job: j.name });
    try {
      await j.run();
      if (failing.now) log.info({ job: j.name }, 'background job recovered');
      failing.now = false;
    } catch (err: unknown) {
      deps.metrics.failures.inc({ job: j.name });
      if (!failing.now) log.warn({ job: j.name, err }, 'background job failed (logged again when it recovers; failures counted in /metrics)');
      failing.now = true;
    } finally {
      end();
      deps.metrics.runs.inc({ job: j.name });
    }
  }

  function schedule(j: Job, delayMs: number, failing: { now: boolean }): void {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(j.name);
      const p = runOnce(j, failing);
      inFlight.add(p);
      void p.then(() => {
        inFlight.delete(p);
        schedule(j, j.intervalMs, failing);
      });
    }, delayMs);
    t.unref();
    timers.set(j.name, t);
  }

  return {
    names,
    start() {
      if (!stopped) return;
      stopped = false;
      for (const j of jobs) schedule(j, j.firstDelayMs ?? j.intervalMs, { now: false });
      if (jobs.length > 0) log.info({ jobs: jobs.map((j) => ({ name: j.name, intervalMs: j.intervalMs })) }, 'background jobs started');
    },
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.all(inFlight);
      for (const j of jobs) await j.stop?.();
    },
  };
}
