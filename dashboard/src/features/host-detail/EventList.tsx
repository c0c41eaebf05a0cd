import type { EventMarker } from '@renderwatch/schema';
import { useQueryState } from '../../app/router.js';
import { formatClock } from '../../lib/format.js';
import { windowAround } from '../../lib/time-range.js';

const SHOWN = 100;

export function EventList({ markers }: { markers: EventMarker[] }) {
  const [, setParams] = useQueryState();
  const newest = [...markers].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts)).slice(0, SHOWN);
  return (
    <section className="panel">
      <h2>Runtime events</h2>
      {newest.length === 0 ? (
        <p className="muted">No runtime events in this range.</p>
      ) : (
        <table className="data" data-testid="event-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Runtime</th>
              <th>GPU</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {newest.map((m, i) => (
              <tr key={`${m.ts}:${i}`} className={m.kind === 'oom' || m.kind === 'error' ? 'row-bad' : undefined}>
                <td>
                  <button
                    type="button"
                    className="linklike"
                    title="zoom the charts to ±10 minutes around this event"
                    onClick={() => setParams({ ...windowAround(Date.parse(m.ts), 10 * 60_000), range: undefined })}
                  >
                    {formatClock(m.ts)}
                  </button>
                </td>
                <td>{m.kind}</td>
                <td>{m.runtime}</td>
                <td>{m.gpu_index ?? '—'}</td>
                <td>{m.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {markers.length > SHOWN ? (
        <p className="muted small">
          newest {SHOWN} of {markers.length}
        </p>
      ) : null}
    </section>
  );
}
