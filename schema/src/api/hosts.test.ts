import { describe, expect, it } from 'vitest';
import { fromSeriesColumns, seriesTimes, toSeriesColumns, type GpuSeries, type GpuSeriesPoint, type HostSeriesPoint } from './hosts.js';

const point = (t: string, u: number | null, thermal: number | null = 0): GpuSeriesPoint => ({
  t,
  utilization_ratio: u,
  utilization_max_ratio: u,
  memory_used_bytes: null,
  memory_used_max_bytes: null,
  memory_total_bytes: 24e9,
  temperature_celsius: 60,
  temperature_max_celsius: 61,
  power_draw_watts: null,
  sm_clock_mhz: 1800,
  mem_clock_mhz: null,
  thermal_share: thermal,
  power_share: 0,
  hw_slowdown_share: null,
});

describe('host series columns', () => {
  it('round-trips points through one array per field, with gaps where a series has no bucket', () => {
    const gpus: GpuSeries[] = [
      { uuid: 'G0', index: 0, name: 'L4', points: [point('2026-01-01T00:00:00Z', 0.5), point('2026-01-01T00:02:00Z', 0.7)] },
      { uuid: 'G1', index: 1, name: 'L4', points: [point('2026-01-01T00:01:00Z', null)] },
    ];
    const host: HostSeriesPoint[] = [
      {
        t: '2026-01-01T00:01:00Z',
        cpu_ratio: 0.25,
        memory_used_bytes: 1e9,
        disk_read_bytes_per_s: null,
        disk_write_bytes_per_s: null,
        net_rx_bytes_per_s: null,
        net_tx_bytes_per_s: null,
      },
    ];
    const times = seriesTimes(gpus, host);
    expect(times).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z']);
    const wire = toSeriesColumns(times, gpus, host);
    expect(wire.gpus[0]?.utilization_ratio).toEqual([0.5, null, 0.7]);
    expect(wire.gpus[1]?.thermal_share).toEqual([null, 0, null]);
    expect(wire.host_series.cpu_ratio).toEqual([null, 0.25, null]);
    expect(fromSeriesColumns({ times, ...wire })).toEqual({ gpus, host_points: host });
  });
});
