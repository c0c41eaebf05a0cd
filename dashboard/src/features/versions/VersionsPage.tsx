// Versions & drift: per host, the runtime versions, extension sets and model hashes over time; two
// instants compared; and for each change, how job durations and outcomes moved around it.
import type { VersionsHost } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatNumber, formatPercent } from '../../lib/format.js';
import { EmptyState, QueryView } from '../../lib/QueryView.js';
import { useDefaultRange } from '../../lib/useDefaultRange.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchAroundChange, fetchVersions } from './api.js';
import { basisUnit, changePoints, diffStates, durationShifts, shiftHeader, stateAt, type Change } from './versions-model.js';

const DAY = 86400_000;
const SHIFT_EXPLAIN =
  'in the 24 h before the change and the 24 h after it (up to now): the median seconds per image (each completed job’s duration ÷ its images), ' +
  'which a change in batch sizes does not move; where either side has none (older collectors or history), the median job duration, marked s/job';
const when = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function AroundChange({ host, change }: { host: string; change: Change }) {
  const q = usePolledQuery(`around:${host}:${change.atMs}`, (c) => fetchAroundChange(c, host, change.atMs, DAY), { live: false });
  return (
    <QueryView
      q={q}
      what="jobs around the change"
      isEmpty={(d) => d.before.rows.length + d.after.rows.length === 0}
      empty="No jobs on this host in the day before or after this change."
    >
      {(d) => {
        const shifts = durationShifts(d.before.rows, d.after.rows);
        return (
          <table className="data" data-testid="around-table" data-change={change.atMs}>
            <thead>
              <tr>
                <th>Model</th>
                <th>Jobs before / after</th>
                <th data-testid="around-duration-header">
                  {shiftHeader(shifts)} <Explain text={SHIFT_EXPLAIN} />
                </th>
                <th>Completed before → after</th>
              </tr>
            </thead>
            <tbody>
              {shifts.map((s) => (
                <tr key={s.model} data-testid="around-row" data-model={s.model} data-basis={s.basis}>
                  <td>{s.model}</td>
                  <td>
                    {formatNumber(s.jobsBefore)} / {formatNumber(s.jobsAfter)}
                  </td>
                  <td data-testid="around-duration" className={s.change !== null && s.change > 0.1 ? 'worse' : undefined}>
                    {s.beforeP50 === null ? '—' : `${s.beforeP50.toFixed(1)} ${basisUnit(s.basis)}`} →{' '}
                    {s.afterP50 === null ? '—' : `${s.afterP50.toFixed(1)} ${basisUnit(s.basis)}`}
                    {s.change === null ? null : ` (${s.change >= 0 ? '+' : ''}${formatPercent(s.change)})`}
                  </td>
                  <td data-testid="around-ok" className={s.afterOk !== null && s.beforeOk !== null && s.afterOk < s.beforeOk - 0.05 ? 'worse' : undefined}>
                    {formatPercent(s.beforeOk, 1)} → {formatPercent(s.afterOk, 1)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </QueryView>
  );
}

function HostDrift({ h, fromMs, toMs }: { h: VersionsHost; fromMs: number; toMs: number }) {
  const [params, setParams] = useQueryState();
  const changes = changePoints(h);
  const selected = changes.find((c) => String(c.atMs) === params.get('change')) ?? changes[changes.length - 1];
  const points = changes.map((c) => c.atMs);
  const first = h.timeline[0] === undefined ? fromMs : Math.max(fromMs, Date.parse(h.timeline[0].first_start));
  const aMs = Number(params.get('a') ?? '') || (points.length > 0 ? (points[0] ?? first) - 60_000 : first);
  const bMs = Number(params.get('b') ?? '') || toMs;
  const diff = diffStates(stateAt(h, aMs), stateAt(h, bMs));
  const options = [...new Set([first, ...points.flatMap((p) => [p - 60_000, p + 60_000]), toMs])].sort((x, y) => x - y);
  const pick = (k: 'a' | 'b', v: number) => (
    <select value={options.includes(v) ? v : ''} onChange={(e) => setParams({ [k]: e.target.value }, { replace: true })} data-testid={`versions-${k}`}>
      {options.includes(v) ? null : <option value="">{when(v)} UTC</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {when(o)} UTC
        </option>
      ))}
    </select>
  );
  return (
    <>
      <section className="panel">
        <h2>Timeline</h2>
        <table className="data" data-testid="versions-timeline">
          <thead>
            <tr>
              <th>Runtime</th>
              <th>Version</th>
              <th>Extensions</th>
              <th>From → last start</th>
              <th>Starts</th>
            </tr>
          </thead>
          <tbody>
            {h.timeline.map((p) => (
              <tr key={`${p.runtime}|${p.first_start}`} data-testid="versions-period">
                <td>{p.runtime}</td>
                <td>
                  {p.previous_version !== null && p.previous_version !== p.version ? (
                    <span className="badge badge-warn">upgraded from {p.previous_version}</span>
                  ) : null}{' '}
                  <strong>{p.version}</strong>
                </td>
                <td className="small">{p.extensions.join(', ') || '—'}</td>
                <td className="small">
                  {when(Date.parse(p.first_start))} → {when(Date.parse(p.last_start))}
                </td>
                <td>{p.starts}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Model files</h3>
        <table className="data" data-testid="versions-hashes">
          <thead>
            <tr>
              <th>Model</th>
              <th>Hash</th>
              <th>First → last seen</th>
              <th>Loads</th>
            </tr>
          </thead>
          <tbody>
            {h.model_hashes.map((m) => (
              <tr key={`${m.model}|${m.model_hash}`} data-testid="versions-hash-row">
                <td>{m.model}</td>
                <td>
                  <code>{m.model_hash}</code>
                </td>
                <td className="small">
                  {when(Date.parse(m.first_seen))} → {when(Date.parse(m.last_seen))}
                </td>
                <td>{formatNumber(m.loads)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-label="compare">
        <h2>What changed between</h2>
        <div className="filters">
          {pick('a', aMs)} and {pick('b', bMs)}
        </div>
        {diff.length === 0 ? (
          <EmptyState testId="versions-no-diff">Nothing changed on {h.host} between these two instants.</EmptyState>
        ) : (
          <ul data-testid="versions-diff">
            {diff.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-label="changes">
        <h2>Changes and what followed</h2>
        {changes.length === 0 ? (
          <EmptyState testId="versions-no-changes">No version, extension or model-file change on {h.host} in this range.</EmptyState>
        ) : (
          <>
            <ul className="changes" data-testid="versions-changes">
              {changes.map((c) => (
                <li key={`${c.atMs}|${c.text}`} className={c === selected ? 'active' : undefined}>
                  <button
                    type="button"
                    className="linklike"
                    onClick={() => setParams({ change: String(c.atMs) }, { replace: true })}
                    data-testid="versions-change"
                  >
                    {when(c.atMs)} UTC · {c.text}
                  </button>
                </li>
              ))}
            </ul>
            {selected === undefined ? null : (
              <>
                <h3 data-testid="versions-selected">Around {selected.text}</h3>
                <AroundChange host={h.host} change={selected} />
              </>
            )}
          </>
        )}
      </section>
    </>
  );
}

export function VersionsPage() {
  useDefaultRange('7d');
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const host = params.get('host') ?? undefined;
  const q = usePolledQuery(`versions:${key}`, (c) => fetchVersions(c, range), { live: false });
  return (
    <div className="page">
      <header className="page-header">
        <h1>Versions &amp; drift</h1>
        <span className="muted">why did the output change: runtime versions, extension sets and model files per host, and the jobs around each change</span>
      </header>
      <QueryView q={q} what="versions" isEmpty={(d) => d.hosts.length === 0} empty="No runtime start or model load in this range.">
        {(d) => {
          const withChanges = d.hosts.filter((h) => changePoints(h).length > 0);
          const h = host === undefined ? (withChanges[0] ?? d.hosts[0]) : d.hosts.find((x) => x.host === host);
          return (
            <>
              <div className="filters">
                <label>
                  Host{' '}
                  <select
                    value={h?.host ?? host ?? ''}
                    onChange={(e) => setParams({ host: e.target.value, a: undefined, b: undefined, change: undefined })}
                    data-testid="versions-host"
                  >
                    {h === undefined && host !== undefined ? <option value={host}>{host}</option> : null}
                    {d.hosts.map((x) => (
                      <option key={x.host} value={x.host}>
                        {x.host} {changePoints(x).length > 0 ? `(${changePoints(x).length} changes)` : ''}
                      </option>
                    ))}
                  </select>
                </label>
                {h === undefined ? null : <Link to={`/hosts/${encodeURIComponent(h.host)}`}>host detail</Link>}
              </div>
              {h === undefined ? (
                <EmptyState testId="not-found">
                  No host named <code>{host}</code> reported a runtime start or model load in this range. <Link to="/versions">All hosts</Link>.
                </EmptyState>
              ) : (
                <HostDrift key={h.host} h={h} fromMs={Date.parse(d.from)} toMs={Date.parse(d.to)} />
              )}
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
