// Host gauges from HostSnapshotLike: CPU, memory, swap, the configured volumes' space, disk and network.
// Plain state rendered to exposition bytes at most once per sample and format (see gpu-metrics.ts).
import type { HostSnapshotLike } from '../export/to-wire.js';
import { ByteWriter, familyHeader, labelValue } from './text-family.js';

const NL = 10;

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
  /** The host families as exposition bytes (OpenMetrics lines when true), rendered at most once per sample and format. */
  bytes(openMetrics: boolean): Buffer;
}

export function createHostMetrics(host: string): HostMetrics {
  const hostLabel = `host="${labelValue(host)}"`;
  let last: HostSnapshotLike | undefined;
  const cache: { text?: Buffer; open?: Buffer } = {};

  const heads = HOST_GAUGES.map(([name]) => `${name}{${hostLabel}} `);
  const headers = [false, true].map((open) => [
    ...HOST_GAUGES.map(([name, help]) => familyHeader(name, 'gauge', help, open)),
    familyHeader(FREE[0], 'gauge', FREE[1], open),
    familyHeader(SIZE[0], 'gauge', SIZE[1], open),
  ]);
  const writer = new ByteWriter(4096);

  // Indexed loops: under the daemon's --no-opt a for-of allocates an iterator and a result per step.
  function render(open: boolean): Buffer {
    const w = writer;
    const head = headers[open ? 1 : 0] ?? [];
    for (let i = 0; i < HOST_GAUGES.length; i++) {
      w.str(head[i] ?? '');
      const v = last === undefined ? undefined : HOST_GAUGES[i]?.[2](last);
      if (v !== undefined && Number.isFinite(v)) {
        w.str(heads[i] ?? '');
        w.num(v);
        w.byte(NL);
      }
    }
    // Volumes come from the agent's own configuration (AGENT_VOLUMES), so role/mount are bounded by it.
    const volumes = last?.volumes ?? [];
    for (let f = 0; f < 2; f++) {
      w.str(head[HOST_GAUGES.length + f] ?? '');
      for (let i = 0; i < volumes.length; i++) {
        const v = volumes[i];
        if (v === undefined) continue;
        w.str(`${f === 0 ? FREE[0] : SIZE[0]}{${hostLabel},role="${labelValue(v.role)}",mount="${labelValue(v.mount)}"} `);
        w.num(f === 0 ? v.free_bytes : v.size_bytes);
        w.byte(NL);
      }
    }
    return w.take();
  }

  return {
    observeHost(h) {
      last = h;
      cache.text = undefined;
      cache.open = undefined;
    },
    bytes(openMetrics) {
      if (openMetrics) return (cache.open ??= render(true));
      return (cache.text ??= render(false));
    },
  };
}
