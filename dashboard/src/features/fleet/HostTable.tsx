import type { FleetHost } from '@renderwatch/schema';
import { Link, useQueryState } from '../../app/router.js';
import { formatAgo, formatCelsius, formatPercent } from '../../lib/format.js';
import { GpuChip } from './GpuChip.js';
import { filterAndSortHosts, gpuModels, hostStats, SORT_KEYS, type HostFilter, type SortKey } from './transform.js';

const COLUMNS: { key: SortKey; label: string; title: string }[] = [
  { key: 'host', label: 'Host', title: 'hostname the agent reports' },
  { key: 'status', label: 'Status', title: 'silent: no report for longer than the silence threshold' },
  { key: 'util', label: 'Util', title: 'mean GPU utilization of the host right now' },
  { key: 'temp', label: 'Max temp', title: 'hottest GPU of the host' },
];

function parseSort(v: string | null): SortKey {
  return SORT_KEYS.find((k) => k === v) ?? 'host';
}

export function HostTable({ hosts, silentAfterS, now }: { hosts: FleetHost[]; silentAfterS: number; now: number }) {
  const [params, setParams] = useQueryState();
  const filter: HostFilter = {
    text: params.get('q') ?? '',
    gpuModel: params.get('gpu_model') ?? '',
    status: params.get('status') === 'up' ? 'up' : params.get('status') === 'silent' ? 'silent' : '',
  };
  const sort = parseSort(params.get('sort'));
  const dir = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const rows = filterAndSortHosts(hosts, filter, sort, dir);
  const models = gpuModels(hosts);
  const toggleSort = (k: SortKey) => setParams({ sort: k, dir: sort === k && dir === 'asc' ? 'desc' : 'asc' }, { replace: true });

  return (
    <section className="panel" aria-label="hosts">
      <div className="filters">
        <label>
          Host{' '}
          <input
            type="search"
            value={filter.text}
            placeholder="filter by name"
            onChange={(e) => setParams({ q: e.target.value }, { replace: true })}
            data-testid="host-filter"
          />
        </label>
        <label>
          GPU model{' '}
          <select value={filter.gpuModel} onChange={(e) => setParams({ gpu_model: e.target.value })} data-testid="gpu-model-filter">
            <option value="">all</option>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select value={filter.status} onChange={(e) => setParams({ status: e.target.value })} data-testid="status-filter">
            <option value="">all</option>
            <option value="up">up</option>
            <option value="silent">silent</option>
          </select>
        </label>
        <span className="muted">
          {rows.length} of {hosts.length} shown
        </span>
      </div>
      <table className="hosts">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} title={c.title} aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="linklike" onClick={() => toggleSort(c.key)}>
                  {c.label}
                  {sort === c.key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
            <th>GPUs (utilization · temperature · VRAM)</th>
            <th title="time since the last report">
              <button type="button" className="linklike" onClick={() => toggleSort('last_seen')}>
                Last seen{sort === 'last_seen' ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => {
            const s = hostStats(h.gpus);
            return (
              <tr key={h.host} data-testid="host-row" data-host={h.host} className={h.silent ? 'silent' : undefined}>
                <td>
                  <Link to={`/hosts/${encodeURIComponent(h.host)}`} className="host-link">
                    {h.host}
                  </Link>
                  <div className="muted small" title="driver version · agent version">
                    driver {h.driver_version || '—'} · agent {h.agent_version || '—'}
                  </div>
                </td>
                <td>
                  {h.silent ? (
                    <span className="badge badge-bad" title={`no report for more than ${silentAfterS} s`}>
                      silent
                    </span>
                  ) : (
                    <span className="badge badge-ok">up</span>
                  )}
                </td>
                <td>{formatPercent(s.meanUtil)}</td>
                <td>{formatCelsius(s.maxTemp)}</td>
                <td className="gpus">
                  {h.gpus.map((g) => (
                    <GpuChip key={g.index} host={h.host} gpu={g} />
                  ))}
                </td>
                <td title={h.last_seen}>{formatAgo(h.last_seen, now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? <div className="state state-empty">No host matches these filters.</div> : null}
    </section>
  );
}
