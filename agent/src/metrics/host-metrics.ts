// Host gauges from HostSnapshotLike: CPU, memory, swap, the configured volumes' space, disk and network.
// Plain state rendered to exposition text once per sample and format (see gpu-metrics.ts).
import type { HostSnapshotLike } from '../export/to-wire.js';
import { familyHeader, labelValue } from './text-family.js';

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

const FREE = ['renderwatch_host_volume_free_bytes', 'Free space of a configured volume (model, cache, output), bytes.'] as const;
const SIZE = ['renderwatch_host_volume_size_bytes', 'Size of a configured volume, bytes.'] as const;

/** Every host family name (the docs check). */
export const HOST_FAMILIES: readonly string[] = [...HOST_GAUGES.map(([n]) => n), FREE[0], SIZE[0]];

export interface HostMetrics {
  observeHost(h: HostSnapshotLike): void;
  /** The host families as exposition text (OpenMetrics lines when true), rendered once per sample. */
  text(openMetrics: boolean): string;
}

export function createHostMetrics(host: string): HostMetrics {
  const hostLabel = `host="${labelValue(host)}"`;
  let last: HostSnapshotLike | undefined;
  const cache: { text?: string; open?: string } = {};

  function render(open: boolean): string {
    let out = '';
    for (const [name, help, read] of HOST_GAUGES) {
      out += familyHeader(name, 'gauge', help, open);
      const v = last === undefined ? undefined : read(last);
      if (v !== undefined && Number.isFinite(v)) out += `${name}{${hostLabel}} ${v}\n`;
    }
    // Volumes come from the agent's own configuration (AGENT_VOLUMES), so role/mount are bounded by it.
    const volumes = last?.volumes ?? [];
    out += familyHeader(FREE[0], 'gauge', FREE[1], open);
    for (const v of volumes) out += `${FREE[0]}{${hostLabel},role="${labelValue(v.role)}",mount="${labelValue(v.mount)}"} ${v.free_bytes}\n`;
    out += familyHeader(SIZE[0], 'gauge', SIZE[1], open);
    for (const v of volumes) out += `${SIZE[0]}{${hostLabel},role="${labelValue(v.role)}",mount="${labelValue(v.mount)}"} ${v.size_bytes}\n`;
    return out;
  }

  return {
    observeHost(h) {
      last = h;
      cache.text = undefined;
      cache.open = undefined;
    },
    text(openMetrics) {
      if (openMetrics) return (cache.open ??= render(true));
      return (cache.text ??= render(false));
    },
  };
}
