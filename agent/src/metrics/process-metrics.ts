// The agent's own process metrics: the prom-client default set's core (CPU, start time, resident
// memory, heap, open fds, Node version) under the same names and HELP, read with the cheap calls.
// Why not collectDefaultMetrics: on every scrape it calls process.memoryUsage() (which reads /proc
// and walks the heap spaces; ~5 % of the daemon's main thread in bench agent-overhead), reads
// /proc/self/status, keeps a GC PerformanceObserver feeding a histogram on every collection and an
// event-loop-delay timer; the daemon is sampled once a second, so those cost more than they tell.
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** The process_* / nodejs_* names registered (the docs check). */
export const PROCESS_METRIC_NAMES = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_open_fds',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_version_info',
] as const;

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the descriptor readdir itself holds
  } catch {
    return undefined; // not Linux: the series is absent
  }
}

/** Registers the set in `registry`; returns the instruments (all of them read when scraped). */
export function registerProcessMetrics(registry: Registry): readonly Metric[] {
  const reg = [registry];
  let last = { user: 0, system: 0 };
  const user = new Counter({ name: 'process_cpu_user_seconds_total', help: 'Total user CPU time spent in seconds.', registers: reg });
  const system = new Counter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', registers: reg });
  const cpu = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers: reg,
    collect() {
      const now = process.cpuUsage();
      const du = (now.user - last.user) / 1e6;
      const ds = (now.system - last.system) / 1e6;
      last = now;
      user.inc(du);
      system.inc(ds);
      this.inc(du + ds);
    },
  });
  const start = new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', registers: reg });
  start.set(Math.round(Date.now() / 1000 - process.uptime()));
  const rss = new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers: reg,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  const fds = new Gauge({
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
    registers: reg,
    collect() {
      const n = openFds();
      if (n === undefined) this.reset();
      else this.set(n);
    },
  });
  const heapTotal = new Gauge({ name: 'nodejs_heap_size_total_bytes', help: 'Process heap size from Node.js in bytes.', registers: reg });
  const external = new Gauge({ name: 'nodejs_external_memory_bytes', help: 'Node.js external memory size in bytes.', registers: reg });
  const heapUsed = new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers: reg,
    collect() {
      const h = getHeapStatistics();
      this.set(h.used_heap_size);
      heapTotal.set(h.total_heap_size);
      external.set(h.external_memory);
    },
  });
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  const version = new Gauge({ name: 'nodejs_version_info', help: 'Node.js version info.', labelNames: ['version', 'major', 'minor', 'patch'], registers: reg });
  version.set({ version: process.version, major, minor, patch }, 1);
  return [user, system, cpu, start, rss, fds, heapTotal, heapUsed, external, version];
}
