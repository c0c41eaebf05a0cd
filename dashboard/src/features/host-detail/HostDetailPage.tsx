import type { GpuSeriesPoint } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { useMemo } from 'react';
import { LazyTimeSeriesChart as TimeSeriesChart } from '../../charts/LazyTimeSeriesChart.js';
import type { ChartUnit } from '../../charts/units.js';
import { WhenVisible } from '../../charts/WhenVisible.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchFleetHosts, fetchHostSeries, type HostSeriesView } from './api.js';
import { EventList } from './EventList.js';
import { ProcessTable } from './ProcessTable.js';
import { chartSeries, eventMarkers, hostColumns, MAX_GPU_LINES, throttleBands } from './series.js';

const GPU_CHARTS: { title: string; unit: ChartUnit; pick: (p: GpuSeriesPoint) => number | null; explain: string; domain?: [number, number] }[] = [
  { title: 'GPU utilization', unit: 'percent', pick: (p) => p.utilization_ratio, explain: 'mean utilization per bucket', domain: [0, 1] },
  { title: 'VRAM used', unit: 'bytes', pick: (p) => p.memory_used_bytes, explain: 'mean memory used per bucket (peak in the tooltip of the capacity page)' },
  { title: 'Temperature', unit: 'celsius', pick: (p) => p.temperature_celsius, explain: 'mean GPU temperature per bucket' },
  { title: 'Power draw', unit: 'watts', pick: (p) => p.power_draw_watts, explain: 'mean board power per bucket' },
  { title: 'SM clock', unit: 'mhz', pick: (p) => p.sm_clock_mhz, explain: 'mean SM clock; drops under throttling' },
];

/** No samples in range: say whether the host is unknown to the collector or only quiet in this range. */
function NoSamples({ host }: { host: string }) {
  const fleet = usePolledQuery('host:fleet', fetchFleetHosts, { live: false });
  if (fleet.data !== undefined && !fleet.data.hosts.some((h) => h.host === host)) {
    return (
      <span data-testid="not-found">
        No host named <code>{host}</code> has ever reported to this collector. <Link to="/">Back to the fleet</Link>.
      </span>
    );
  }
  return <>No samples from {host} in this range. Pick a longer range, or check that its agent is running.</>;
}

export function HostDetailPage({ host, chartWidth }: { host: string; chartWidth?: number }) {
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const gpuParam = params.get('gpu');
  const gpuIndex = gpuParam === null || gpuParam === '' || Number.isNaN(Number(gpuParam)) ? undefined : Number(gpuParam);
  const q = usePolledQuery(`host:${host}:${key}`, (c) => fetchHostSeries(c, host, range));
  return (
    <div className="page">
      <header className="page-header">
        <h1>
          <Link to="/">Fleet</Link> / <span data-testid="host-title">{host}</span>
        </h1>
        {q.data === undefined ? null : (
          <div className="segmented" role="tablist" aria-label="GPU">
            <button
              type="button"
              role="tab"
              aria-selected={gpuIndex === undefined}
              className={gpuIndex === undefined ? 'active' : undefined}
              onClick={() => setParams({ gpu: undefined })}
            >
              all GPUs
            </button>
            {q.data.gpus.map((g) => (
              <button
                key={g.uuid}
                type="button"
                role="tab"
                aria-selected={gpuIndex === g.index}
                className={gpuIndex === g.index ? 'active' : undefined}
                onClick={() => setParams({ gpu: String(g.index) })}
                title={`${g.name} · ${g.uuid}`}
                data-testid="gpu-tab"
              >
                GPU {g.index}
              </button>
            ))}
          </div>
        )}
      </header>
      <QueryView q={q} what="host" isEmpty={(d) => d.gpus.length === 0 && d.host_points.length === 0} empty={<NoSamples host={host} />}>
        {(d) => <HostBody d={d} gpuIndex={gpuIndex} chartWidth={chartWidth} />}
      </QueryView>
    </div>
  );
}

/** The charts and tables of one host's answer; the per-chart rows are computed once per answer and GPU pick. */
function HostBody({ d, gpuIndex, chartWidth }: { d: HostSeriesView; gpuIndex: number | undefined; chartWidth: number | undefined }) {
  const { gpus, bands, markers, hostRows, charts } = useMemo(() => {
    const shown = gpuIndex === undefined ? d.gpus : d.gpus.filter((g) => g.index === gpuIndex);
    return {
      gpus: shown,
      // gaps under two buckets or a sixtieth of the range (~10 px) merge: on/off throttling reads as one stretch
      bands: throttleBands(d.throttle_bands, shown, Math.max(2 * d.step_s * 1000, (Date.parse(d.to) - Date.parse(d.from)) / 60)),
      markers: eventMarkers(d.markers, gpuIndex),
      hostRows: hostColumns(d.host_points),
      charts: GPU_CHARTS.map((c) => ({ ...c, cs: chartSeries(shown, c.pick) })),
    };
  }, [d, gpuIndex]);
  return (
    <>
      <p className="muted small">
        {gpus.map((g) => `GPU ${g.index}: ${g.name}`).join(' · ')} · {d.resolution} data, {d.step_s} s buckets · shaded: throttle reasons · dashed lines:
        runtime events
        {d.markers_truncated ? ' (newest 500 events shown)' : ''}
      </p>
      <div className="grid2">
        {charts.map(({ cs, ...c }, i) => {
          return (
            <WhenVisible key={c.title} height={220} order={i}>
              <TimeSeriesChart
                title={c.title}
                explain={
                  gpus.length > MAX_GPU_LINES ? `${c.explain}; mean and max over the host's ${gpus.length} GPUs (pick a GPU above for its own line)` : c.explain
                }
                data={cs.data}
                series={cs.series}
                unit={c.unit}
                domain={c.domain}
                bands={bands}
                markers={markers}
                width={chartWidth}
                testId={`chart-${c.unit}`}
              />
            </WhenVisible>
          );
        })}
        <WhenVisible height={220} order={GPU_CHARTS.length}>
          <TimeSeriesChart
            title="Host CPU"
            explain="share of all cores busy"
            data={hostRows}
            series={[{ key: 'cpu', label: 'CPU', color: 'var(--c1)' }]}
            unit="percent"
            domain={[0, 1]}
            markers={markers}
            width={chartWidth}
          />
        </WhenVisible>
        <WhenVisible height={220} order={GPU_CHARTS.length + 1}>
          <TimeSeriesChart
            title="Disk and network throughput"
            explain="slow model downloads and disk reads are named causes of slowdowns"
            data={hostRows}
            series={[
              { key: 'disk_read', label: 'disk read', color: 'var(--c1)' },
              { key: 'disk_write', label: 'disk write', color: 'var(--c2)' },
              { key: 'net_rx', label: 'net rx', color: 'var(--c3)' },
              { key: 'net_tx', label: 'net tx', color: 'var(--c4)' },
            ]}
            unit="bytes_per_s"
            width={chartWidth}
          />
        </WhenVisible>
      </div>
      <ProcessTable processes={d.processes.filter((p) => gpuIndex === undefined || p.gpu_index === gpuIndex)} />
      <EventList markers={d.markers.filter((m) => gpuIndex === undefined || m.gpu_index === null || m.gpu_index === gpuIndex)} />
    </>
  );
}
