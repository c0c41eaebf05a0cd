import { OOM_CAUSES } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { useQueryState } from '../../app/router.js';
import { BarList } from '../../charts/BarList.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { adviceFor, CAUSE_TEXT } from './advice.js';
import { fetchOoms } from './api.js';
import { OomTable } from './OomTable.js';

export function OomPage() {
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const causeParam = params.get('cause') ?? '';
  const cause = OOM_CAUSES.find((c) => c === causeParam);
  const model = params.get('model') ?? undefined;
  const host = params.get('host') ?? undefined;
  const q = usePolledQuery(`ooms:${key}:${cause ?? ''}:${model ?? ''}:${host ?? ''}`, (c) => fetchOoms(c, range, { cause, model, host }));
  const toggle = (k: 'cause' | 'model', v: string) => setParams({ [k]: params.get(k) === v ? undefined : v });
  return (
    <div className="page">
      <header className="page-header">
        <h1>OOM explorer</h1>
        <span className="muted">why jobs ran out of GPU memory: the numbers from each message and the rule that chose its cause (never the prompt)</span>
      </header>
      <div className="filters">
        <label>
          Cause{' '}
          <select value={cause ?? ''} onChange={(e) => setParams({ cause: e.target.value })} data-testid="oom-cause-filter">
            <option value="">all</option>
            {OOM_CAUSES.map((c) => (
              <option key={c} value={c}>
                {CAUSE_TEXT[c] ?? c}
              </option>
            ))}
          </select>
        </label>
        {model === undefined ? null : (
          <span className="badge">
            model {model}{' '}
            <button type="button" className="linklike" aria-label="clear model filter" onClick={() => setParams({ model: undefined })}>
              ×
            </button>
          </span>
        )}
        {host === undefined ? null : (
          <span className="badge">
            host {host}{' '}
            <button type="button" className="linklike" aria-label="clear host filter" onClick={() => setParams({ host: undefined })}>
              ×
            </button>
          </span>
        )}
      </div>
      <QueryView q={q} what="OOMs" isEmpty={(d) => d.total === 0} empty="No OOMs in this range with these filters. 🎉">
        {(d) => (
          <>
            <p data-testid="oom-total">
              <strong>{d.total}</strong> OOM{d.total === 1 ? '' : 's'} in range
            </p>
            <div className="grid3">
              <section className="panel">
                <h2>By cause</h2>
                <BarList
                  testId="oom-by-cause"
                  items={d.by_cause.map((x) => ({
                    key: x.key,
                    label: CAUSE_TEXT[x.key] ?? x.key,
                    value: x.count,
                    onClick: () => toggle('cause', x.key),
                    active: x.key === cause,
                  }))}
                />
              </section>
              <section className="panel">
                <h2>By model</h2>
                <BarList
                  testId="oom-by-model"
                  items={d.by_model.map((x) => ({
                    key: x.key,
                    label: x.key,
                    title: x.key,
                    value: x.count,
                    onClick: () => toggle('model', x.key),
                    active: x.key === model,
                  }))}
                />
              </section>
              <section className="panel">
                <h2>By GPU tier</h2>
                <BarList
                  testId="oom-by-tier"
                  items={d.by_gpu_tier.map((x) => ({ key: x.key, label: x.key === 'unknown' ? 'unknown' : `${x.key} GB`, value: x.count }))}
                />
              </section>
              <section className="panel">
                <h2>By resolution</h2>
                <BarList testId="oom-by-resolution" items={d.by_resolution.map((x) => ({ key: x.key, label: x.key, value: x.count }))} />
              </section>
              <section className="panel">
                <h2>By batch size</h2>
                <BarList testId="oom-by-batch" items={d.by_batch.map((x) => ({ key: x.key, label: `batch ${x.key}`, value: x.count }))} />
              </section>
              <section className="panel">
                <h2>What to try</h2>
                <ul className="advice" data-testid="oom-advice">
                  {d.by_cause.map((x) => (
                    <li key={x.key} data-cause={x.key}>
                      <strong>{CAUSE_TEXT[x.key] ?? x.key}:</strong> {adviceFor(x.key, d.advice)}
                    </li>
                  ))}
                </ul>
              </section>
            </div>
            <OomTable events={d.events} truncated={d.truncated} />
          </>
        )}
      </QueryView>
    </div>
  );
}
