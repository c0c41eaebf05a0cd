// The agent's own process metrics: the prom-client default set's core (CPU, start time, resident
// memory, heap, open fds, Node version) under the same names and HELP, read with the cheap calls.
// Why not collectDefaultMetrics: on every scrape it calls process.memoryUsage() (which reads /proc
// and walks the heap spaces; ~5 % of the daemon's main thread in bench agent-overhead), reads
// /proc/self/status, keeps a GC PerformanceObserver feeding a histogram on every collection and an
// event-loop-delay timer; the daemon is sampled once a second, so those cost more than they tell.
// The instruments are text-registry.ts families: the first family of each group read at a scrape
// takes the one reading for the group (prom-client showed user/system CPU and heap total/external
// from the previous scrape, as their collect ran on the group's last family).
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { type Family, TextCounter, TextGauge, type TextRegistry } from './text-registry.js';

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

/** Registers the set in `registry`; returns the instruments (the changing ones are read when scraped). */
export function registerProcessMetrics(registry: TextRegistry): readonly Family[] {
  // One reading of process.cpuUsage() per scrape, taken by the first of the three families rendered.
  const user: TextCounter = new TextCounter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    collect() {
      const now = process.cpuUsage();
      user.setTotal(undefined, now.user / 1e6);
      system.setTotal(undefined, now.system / 1e6);
      cpu.setTotal(undefined, (now.user + now.system) / 1e6);
    },
  });
  const system = new TextCounter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.' });
  const cpu = new TextCounter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.' });
  const start = new TextGauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.' });
  start.set(undefined, Math.round(Date.now() / 1000 - process.uptime()));
  const rss: TextGauge = new TextGauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: () => rss.set(undefined, process.memoryUsage.rss()),
  });
  const fds: TextGauge = new TextGauge({
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
    collect() {
      const n = openFds();
      if (n === undefined) fds.reset();
      else fds.set(undefined, n);
    },
  });
  // One getHeapStatistics() per scrape, taken by the first of the three families rendered.
  const heapTotal: TextGauge = new TextGauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    collect() {
      const h = getHeapStatistics();
      heapUsed.set(undefined, h.used_heap_size);
      heapTotal.set(undefined, h.total_heap_size);
      external.set(undefined, h.external_memory);
    },
  });
  const external = new TextGauge({ name: 'nodejs_external_memory_bytes', help: 'Node.js external memory size in bytes.' });
  const heapUsed = new TextGauge({ name: 'nodejs_heap_size_used_bytes', help: 'Process heap size used from Node.js in bytes.' });
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  const version = new TextGauge<'version' | 'major' | 'minor' | 'patch'>({
    name: 'nodejs_version_info',
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch'],
  });
  version.set({ version: process.version, major, minor, patch }, 1);
  const all = [user, system, cpu, start, rss, fds, heapTotal, external, heapUsed, version];
  for (const f of all) registry.register(f);
  return all;
}
