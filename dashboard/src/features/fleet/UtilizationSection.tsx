import type { UtilizationResponse } from '@renderwatch/schema';
import { Heatmap } from '../../charts/Heatmap.js';
import { LazyTimeSeriesChart as TimeSeriesChart } from '../../charts/LazyTimeSeriesChart.js';
import { Link, useRouter } from '../../app/router.js';
import { windowAround } from '../../lib/time-range.js';
import { fleetSeries, utilizationHeatmap } from './transform.js';

/** Rows the heatmap draws; the API is asked for this many (hosts_limit). */
export const MAX_HEATMAP_ROWS = 60;

export function UtilizationSection({ data, loading, chartWidth }: { data: UtilizationResponse | undefined; loading: boolean; chartWidth?: number }) {
  const { navigate } = useRouter();
  const series = data === undefined ? [] : fleetSeries(data);
  const heat = data === undefined ? { columns: [], rows: [] } : utilizationHeatmap(data);
  const hostsTotal = Math.max(data?.hosts_total ?? 0, heat.rows.length);
  const step = data?.step_s ?? 60;
  return (
    <section className="panel" aria-label="utilization">
      <TimeSeriesChart
        title="Fleet GPU utilization and VRAM use over time"
        explain={`Mean over hosts of each host's mean GPU utilization and VRAM used ÷ total, per ${step} s bucket (${data?.resolution ?? 'raw'} data).`}
        data={series}
        series={[
          { key: 'util', label: 'GPU utilization', color: 'var(--c1)' },
          { key: 'mem', label: 'VRAM used', color: 'var(--c2)' },
        ]}
        unit="percent"
        domain={[0, 1]}
        loading={loading && data === undefined}
        emptyText="No samples in this range yet: hosts appear once their agents report."
        width={chartWidth}
        testId="fleet-util-chart"
      />
      <figure className="chart">
        <figcaption>
          Utilization by host over time
          <span
            className="explain"
            tabIndex={0}
            role="note"
            title="Each cell: the host's mean GPU utilization in one bucket. Click a cell to open the host at that time."
            aria-label="heatmap explanation"
          >
            ?
          </span>
        </figcaption>
        {heat.rows.length === 0 ? (
          <div className="chart-placeholder" style={{ height: 80 }}>
            {loading ? 'Loading…' : 'No samples in this range.'}
          </div>
        ) : (
          <>
            <Heatmap
              columns={heat.columns}
              rows={heat.rows.slice(0, MAX_HEATMAP_ROWS).map((r) => ({ ...r, href: `/hosts/${encodeURIComponent(r.id)}` }))}
              renderLink={(href, label) => <Link to={href}>{label}</Link>}
              unit="percent"
              max={1}
              testId="util-heatmap"
              onCellClick={(host, t) => {
                const w = windowAround(t, Math.max(15 * 60_000, step * 1000 * 10));
                navigate(`/hosts/${encodeURIComponent(host)}?from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`);
              }}
            />
            {hostsTotal > Math.min(heat.rows.length, MAX_HEATMAP_ROWS) ? (
              <div className="muted small">
                first {Math.min(heat.rows.length, MAX_HEATMAP_ROWS)} of {hostsTotal} hosts (filter the table to narrow)
              </div>
            ) : null}
          </>
        )}
      </figure>
    </section>
  );
}
