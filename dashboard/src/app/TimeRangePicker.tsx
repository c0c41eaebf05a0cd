import { useState } from 'react';
import { parseTimeRange, RANGE_PRESETS, resolveTimeRange } from '../lib/time-range.js';
import { useQueryState } from './router.js';

/** `datetime-local` value (local time, minutes) ↔ epoch ms. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function TimeRangePicker() {
  const [params, setParams] = useQueryState();
  const range = parseTimeRange(params);
  const [editing, setEditing] = useState<{ from: string; to: string } | undefined>(undefined);
  const startEditing = () => {
    const { from, to } = resolveTimeRange(range, Date.now());
    setEditing({ from: toLocalInput(from.getTime()), to: toLocalInput(to.getTime()) });
  };
  if (editing !== undefined) {
    const from = Date.parse(editing.from);
    const to = Date.parse(editing.to);
    const valid = Number.isFinite(from) && Number.isFinite(to) && to > from;
    return (
      <form
        className="control"
        aria-label="custom time range"
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          setParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), range: undefined });
          setEditing(undefined);
        }}
      >
        <input
          type="datetime-local"
          aria-label="from"
          value={editing.from}
          onChange={(e) => setEditing({ ...editing, from: e.target.value })}
          data-testid="range-from"
        />
        <span>→</span>
        <input
          type="datetime-local"
          aria-label="to"
          value={editing.to}
          onChange={(e) => setEditing({ ...editing, to: e.target.value })}
          data-testid="range-to"
        />
        <button type="submit" disabled={!valid} title={valid ? 'show this window' : '"to" must be after "from"'}>
          Apply
        </button>
        <button type="button" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </form>
    );
  }
  return (
    <label className="control">
      <span className="sr-only">Time range</span>
      <select
        data-testid="time-range"
        value={range.kind === 'preset' ? range.id : 'custom'}
        onChange={(e) => {
          if (e.target.value === 'edit') startEditing();
          else setParams({ range: e.target.value, from: undefined, to: undefined });
        }}
        title="time range (kept in the URL)"
      >
        {range.kind === 'absolute' ? <option value="custom">{range.label}</option> : null}
        {RANGE_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
        <option value="edit">Custom range…</option>
      </select>
    </label>
  );
}
