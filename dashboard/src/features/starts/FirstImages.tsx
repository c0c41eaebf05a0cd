// Time to first image: per runtime and cold/warm label (start → first image, split at ready, and
// each job's queued → image), the rules that labelled the starts, and the newest starts with theirs.
import type { StartDistribution } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatDuration } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import type { TimeRange } from '../../lib/time-range.js';
import { fetchFirstImages } from './api.js';

const dist = (d: StartDistribution): string => (d.count === 0 ? '—' : `${formatDuration(d.p50_s)} / ${formatDuration(d.p90_s)} / ${formatDuration(d.max_s)}`);

export function FirstImages({
  range,
  rangeKey,
  runtime,
  host,
  target,
}: {
  range: TimeRange;
  rangeKey: string;
  runtime?: string;
  host?: string;
  target: number | null;
}) {
  const q = usePolledQuery(`first-images:${rangeKey}:${runtime ?? ''}:${host ?? ''}`, (c) => fetchFirstImages(c, range, { runtime, host }));
  return (
    <section className="panel">
      <h2>
        Time to first image{' '}
        <Explain text="runtime start → the first job that produced an image, split at ready; and every job's own queued → image. p50 / p90 / max, nearest rank." />
      </h2>
      <QueryView q={q} what="first images" isEmpty={(d) => d.by_runtime.length === 0} empty="No runtime start produced an image in this range.">
        {(d) => (
          <>
            <table className="data" data-testid="ttfi-table">
              <thead>
                <tr>
                  <th>Runtime</th>
                  <th>Label</th>
                  <th>Starts</th>
                  <th>Start → first image</th>
                  <th>Start → ready</th>
                  <th>Ready → first image</th>
                  <th>Job queued → image</th>
                </tr>
              </thead>
              <tbody>
                {d.by_runtime.map((g) => (
                  <tr key={`${g.runtime}|${g.cold}`} data-testid="ttfi-row" data-runtime={g.runtime} data-cold={g.cold}>
                    <td>{g.runtime}</td>
                    <td>
                      <span className={`badge ${g.cold === 'cold' ? 'badge-warn' : g.cold === 'warm' ? 'badge-ok' : 'badge-muted'}`}>{g.cold}</span>
                    </td>
                    <td>{g.starts}</td>
                    <td className={target !== null && g.cold !== 'cold' && (g.start_to_first_image.p90_s ?? 0) > target ? 'worse' : undefined}>
                      {dist(g.start_to_first_image)}
                    </td>
                    <td>{dist(g.start_to_ready)}</td>
                    <td>{dist(g.ready_to_first_image)}</td>
                    <td>{dist(g.jobs_queued_to_image)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>The rules that labelled the starts</h3>
            <ul className="small" data-testid="ttfi-rules">
              {d.rules.map((r) => (
                <li key={`${r.cold}|${r.cold_rule}`}>
                  <code>{r.cold_rule}</code> → {r.cold}: {r.starts} start{r.starts === 1 ? '' : 's'}
                </li>
              ))}
            </ul>
            <h3>Newest starts</h3>
            <table className="data" data-testid="ttfi-starts">
              <thead>
                <tr>
                  <th>First image at</th>
                  <th>Host</th>
                  <th>Runtime</th>
                  <th>Label (rule)</th>
                  <th>Start → first image</th>
                </tr>
              </thead>
              <tbody>
                {d.starts.slice(0, 20).map((s) => (
                  <tr key={`${s.host}|${s.ts}|${s.job_id}`} data-testid="ttfi-start" data-host={s.host}>
                    <td className="small">{s.ts.slice(0, 19).replace('T', ' ')} UTC</td>
                    <td>
                      <Link to={`/hosts/${encodeURIComponent(s.host)}`}>{s.host}</Link>
                    </td>
                    <td>{s.runtime}</td>
                    <td>
                      {s.cold} <span className="muted small">({s.cold_rule})</span>
                    </td>
                    <td>{formatDuration(s.start_to_first_image_s)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </QueryView>
    </section>
  );
}
