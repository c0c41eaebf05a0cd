// Host gauges from HostSnapshotLike: CPU, memory, swap, the configured volumes' space, disk and network.
import { Gauge, type Registry } from 'prom-client';
import type { HostSnapshotLike } from '../export/to-wire.js';

const HOST_GAUGES: readonly [string, string, (h: HostSnapshotLike) => number | undefined][] = [
  ['renderwatch_host_cpu_utilization_ratio', 'Host CPU busy share across all cores (0-1).', (h) => h.cpu_ratio],
  ['renderwatch_host_memory_used_bytes', 'Host memory in use, bytes.', (h) => h.memory_used_bytes],
  ['renderwatch_host_memory_total_bytes', 'Host memory installed, bytes.', (h) => h.memory_total_bytes],
  ['renderwatch_host_swap_used_bytes', 'Swap in use, bytes.', (h) => h.swap_used_bytes],
  ['renderwatch_host_swap_total_bytes', 'Swap configured, bytes.', (h) => h.swap_total_bytes],
  ['renderwatch_host_disk_read_bytes_per_second', 'Disk read throughput, bytes per second.', (h) => h.disk_read_bytes_per_s],
  ['renderwatch_host_disk_write_bytes_per_second', 'Disk write throughput, bytes per second.', (h) => h.disk_write_bytes_per_s],
  ['renderwatch_host_network_receive_bytes_per_second', 'Network receive throughput, bytes per second.', (h) => h.net_rx_bytes_per_s],
  ['renderwatch_host_network_transmit_bytes_per_second', 'Network transmit throughput, bytes per second.', (h) => h.net_tx_bytes_per_s],
];

export interface HostMetrics {
  observeHost(h: HostSnapshotLike): void;
}

export function createHostMetrics(registry: Registry, host: string): HostMetrics {
  const gauges = HOST_GAUGES.map(([name, help, read]) => ({ gauge: new Gauge<'host'>({ name, help, labelNames: ['host'], registers: [registry] }), read }));
  const free = new Gauge<'host' | 'role' | 'mount'>({
    name: 'renderwatch_host_volume_free_bytes',
    help: 'Free space of a configured volume (model, cache, output), bytes.',
    labelNames: ['host', 'role', 'mount'],
    registers: [registry],
  });
  const size = new Gauge<'host' | 'role' | 'mount'>({
    name: 'renderwatch_host_volume_size_bytes',
    help: 'Size of a configured volume, bytes.',
    labelNames: ['host', 'role', 'mount'],
    registers: [registry],
  });
  return {
    observeHost(h) {
      const l = { host };
      for (const { gauge, read } of gauges) {
        const v = read(h);
        if (v !== undefined && Number.isFinite(v)) gauge.set(l, v);
        else gauge.remove(l);
      }
      // Volumes come from the agent's own configuration (AGENT_VOLUMES), so role/mount are bounded by it.
      free.reset();
      size.reset();
      for (const v of h.volumes ?? []) {
        free.set({ host, role: v.role, mount: v.mount }, v.free_bytes);
        size.set({ host, role: v.role, mount: v.mount }, v.size_bytes);
      }
    },
  };
}
