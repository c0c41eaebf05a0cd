// Starts & time to first image: how long runtimes take from process start to ready, cold vs warm,
// per runtime and per host, against the start SLOs' targets; starts that never became ready.
import type { SloStatus, StartReadyDistribution, StartsGroup } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { BarList } from '../../charts/BarList.js';
import { Explain } from '../../lib/Explain.js';
import { formatDuration, formatNumber } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useDefaultRange } from '../../lib/useDefaultRange.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchSloTargets, fetchStarts } from './api.js';
import { FirstImages } from './FirstImages.js';
import { targetsFrom, type StartTargets } from './targets.js';

function Dist({ d, target, testId }: { d: StartReadyDistribution; target: number | null; testId: string }) {
  if (d.count === 0) return <span className="muted">no starts</span>;
  const over = (v: number | null) => target !== null && v !== null && v > target;
  return (
    <span
      data-testid={testId}
      title={`${d.count} starts: p50 ${formatDuration(d.p50_s)}, p90 ${formatDuration(d.p90_s)}, p99 ${formatDuration(d.p99_s)}, max ${formatDuration(d.max_s)}`}
    >
      <span className={over(d.p50_s) ? 'worse' : undefined}>{formatDuration(d.p50_s)}</span> /{' '}
      <span className={over(d.p90_s) ? 'worse' : undefined}>{formatDuration(d.p90_s)}</span> /{' '}
      <span className={over(d.p99_s) ? 'worse' : undefined}>{formatDuration(d.p99_s)}</span> /{' '}
      <span className={over(d.max_s) ? 'worse' : undefined}>{formatDuration(d.max_s)}</span> <span className="muted small">({formatNumber(d.count)})</span>
    </span>
  );
}

function GroupCells({ g, t }: { g: StartsGroup; t: StartTargets }) {
  return (
    <>
      <td>
        <Dist d={g.warm} target={t.warm} testId="starts-warm" />
      </td>
      <td>
        <Dist d={g.cold} target={t.cold} testId="starts-cold" />
      </td>
      <td data-testid="starts-never-ready" className={g.never_ready > 0 ? 'worse' : undefined}>
        {formatNumber(g.never_ready)}
      </td>
    </>
  );
}

const DIST_HEAD = (
  <>
    <th>
      Warm p50 / p90 / p99 / max{' '}
      <Explain text="start → ready of starts whose models were cached (or unknown), nearest-rank percentiles; red = over the warm-start SLO target" />
    </th>
    <th>
      Cold p50 / p90 / p99 / max <Explain text="start → ready of starts that read models from disk or downloaded them; red = over the cold-start SLO target" />
    </th>
    <th>
      Never ready <Explain text="starts followed by another start (or by nothing) without a ready: crashed or hung" />
    </th>
  </>
);

export function StartsPage() {
  useDefaultRange('7d');
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const runtime = params.get('runtime') ?? undefined;
  const host = params.get('host') ?? undefined;
  const q = usePolledQuery(`starts:${key}:${runtime ?? ''}:${host ?? ''}`, (c) => fetchStarts(c, range, { runtime, host }));
  const slos = usePolledQuery('starts:slos', (c) => fetchSloTargets(c), { live: false });
  const t = targetsFrom(slos.data?.slos ?? ([] as SloStatus[]));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Starts &amp; time to first image</h1>
        <span className="muted">runtime process start → ready to serve, cold vs warm, against the start SLOs</span>
      </header>
      <p className="small" data-testid="starts-targets">
        Targets: warm start within <strong>{t.warm === null ? '—' : formatDuration(t.warm)}</strong>
        {t.warmName === undefined ? null : (
          <>
            {' '}
            (<Link to={`/slos/${encodeURIComponent(t.warmName)}`}>{t.warmName}</Link>)
          </>
        )}
        , cold start within <strong>{t.cold === null ? '—' : formatDuration(t.cold)}</strong>
        {t.coldName === undefined ? null : (
          <>
            {' '}
            (<Link to={`/slos/${encodeURIComponent(t.coldName)}`}>{t.coldName}</Link>)
          </>
        )}
        {t.firstImage === null ? null : <>, warm first image within {formatDuration(t.firstImage)}</>}.
      </p>
      <div className="filters">
        {[
          ['runtime', runtime],
          ['host', host],
        ].map(([k, v]) =>
          v === undefined ? null : (
            <span className="badge" key={k}>
              {k} {v}{' '}
              <button type="button" className="linklike" aria-label={`clear ${k} filter`} onClick={() => setParams({ [k as string]: undefined })}>
                ×
              </button>
            </span>
          ),
        )}
      </div>
      <QueryView
        q={q}
        what="starts"
        isEmpty={(d) => d.by_runtime.length === 0}
        empty={
          host === undefined
            ? 'No runtime started in this range. Pick a longer range: runtimes usually start once a day or less.'
            : `No runtime start on ${host} in this range.`
        }
      >
        {(d) => (
          <>
            <section className="panel">
              <h2>By runtime</h2>
              <table className="data" data-testid="starts-runtime-table">
                <thead>
                  <tr>
                    <th>Runtime</th>
                    {DIST_HEAD}
                  </tr>
                </thead>
                <tbody>
                  {d.by_runtime.map((g) => (
                    <tr key={g.runtime} data-testid="starts-runtime-row" data-runtime={g.runtime}>
                      <td>
                        <button type="button" className="linklike" onClick={() => setParams({ runtime: runtime === g.runtime ? undefined : g.runtime })}>
                          {g.runtime}
                        </button>
                      </td>
                      <GroupCells g={g} t={t} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <FirstImages range={range} rangeKey={key} runtime={runtime} host={host} target={t.firstImage} />
            <section className="panel">
              <h2>Slowest warm starts by host (p90)</h2>
              <BarList
                testId="starts-host-bars"
                items={[...d.by_host]
                  .filter((h) => h.warm.p90_s !== null)
                  .sort((a, b) => (b.warm.p90_s ?? 0) - (a.warm.p90_s ?? 0))
                  .slice(0, 12)
                  .map((h) => ({
                    key: `${h.host}|${h.runtime}`,
                    label: `${h.host} (${h.runtime})`,
                    value: h.warm.p90_s ?? 0,
                    valueText: formatDuration(h.warm.p90_s),
                  }))}
              />
            </section>
            <section className="panel">
              <h2>By host</h2>
              <table className="data" data-testid="starts-host-table">
                <thead>
                  <tr>
                    <th>Host</th>
                    <th>Runtime</th>
                    {DIST_HEAD}
                  </tr>
                </thead>
                <tbody>
                  {d.by_host.map((h) => (
                    <tr key={`${h.host}|${h.runtime}`} data-testid="starts-host-row" data-host={h.host}>
                      <td>
                        <Link to={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</Link>{' '}
                        <button
                          type="button"
                          className="linklike small"
                          title="only this host"
                          onClick={() => setParams({ host: host === h.host ? undefined : h.host })}
                        >
                          {host === h.host ? 'all hosts' : 'only'}
                        </button>
                      </td>
                      <td>{h.runtime}</td>
                      <GroupCells g={h} t={t} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
