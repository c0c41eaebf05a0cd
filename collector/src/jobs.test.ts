import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobMetrics, createJobRunner, type Job } from './jobs.js';

function captureLog(): { log: pino.Logger; lines: Array<{ msg: string; job?: string }> } {
  const lines: Array<{ msg: string; job?: string }> = [];
  return { lines, log: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { msg: string; job?: string }) }) };
}

async function counts(registry: Registry, job: string): Promise<{ runs: number; failures: number; durations: number }> {
  const value = async (name: string, metric = name): Promise<number> => {
    const values = (await registry.getSingleMetric(name)?.get())?.values as Array<{ value: number; labels: Record<string, unknown>; metricName?: string }>;
    const m = values.find((v) => v.labels['job'] === job && (v.metricName ?? name) === metric);
    return m?.value ?? 0;
  };
  return {
    runs: await value('renderwatch_collector_job_runs_total'),
    failures: await value('renderwatch_collector_job_failures_total'),
    durations: await value('renderwatch_collector_job_duration_seconds', 'renderwatch_collector_job_duration_seconds_count'),
  };
}

describe('job runner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a job first after firstDelayMs, then intervalMs after each run ended, and counts every run', async () => {
    const registry = new Registry();
    const at: number[] = [];
    const job: Job = { name: 'tick', intervalMs: 1000, firstDelayMs: 100, run: async () => void at.push(Date.now()) };
    const r = createJobRunner([job], { log: pino({ level: 'silent' }), metrics: createJobMetrics(registry) });
    const t0 = Date.now();
    expect(await counts(registry, 'tick')).toEqual({ runs: 0, failures: 0, durations: 0 }); // listed before its first run
    r.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 2000);
    expect(at.map((t) => t - t0)).toEqual([100, 1100, 2100]);
    expect(await counts(registry, 'tick')).toEqual({ runs: 3, failures: 0, durations: 3 });
    await r.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(at).toHaveLength(3);
  });

  it('counts each failure, logs a failing job once until it recovers, and keeps running it', async () => {
    const registry = new Registry();
    const { log, lines } = captureLog();
    let n = 0;
    const job: Job = {
      name: 'flaky',
      intervalMs: 10,
      run: async () => {
        n++;
        if (n >= 2 && n <= 4) throw new Error(`failure ${n}`);
      },
    };
    const r = createJobRunner([job], { log, metrics: createJobMetrics(registry) });
    r.start();
    await vi.advanceTimersByTimeAsync(60);
    await r.stop();
    expect(n).toBe(6);
    expect(await counts(registry, 'flaky')).toEqual({ runs: 6, failures: 3, durations: 6 });
    expect(lines.filter((l) => l.job === 'flaky').map((l) => l.msg)).toEqual([
      'background job failed (logged again when it recovers; failures counted in /metrics)',
      'background job recovered',
    ]);
  });

  it('never runs a job twice at once; stop waits for the run in flight, then calls stop', async () => {
    const order: string[] = [];
    const gate: { release: () => void } = { release: () => {} };
    const job: Job = {
      name: 'slow',
      intervalMs: 10,
      run: () => {
        order.push('run');
        return new Promise<void>((res) => {
          gate.release = res;
        });
      },
      stop: () => void order.push('stop'),
    };
    const r = createJobRunner([job], { log: pino({ level: 'silent' }), metrics: createJobMetrics(new Registry()) });
    r.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['run']);
    const stopped = r.stop().then(() => order.push('stopped'));
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['run']);
    gate.release();
    await stopped;
    expect(order).toEqual(['run', 'stop', 'stopped']);
  });

  it('refuses two jobs of one name', () => {
    const j: Job = { name: 'same', intervalMs: 1, run: async () => {} };
    expect(() => createJobRunner([j, { ...j }], { log: pino({ level: 'silent' }), metrics: createJobMetrics(new Registry()) })).toThrow(
      'two background jobs named same',
    );
  });
});
