import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { currentQuery, renderApp } from '../testing/render-app.js';

afterEach(cleanup);

describe('TimeRangePicker', () => {
  it('writes a preset to the URL and drops an absolute window', () => {
    renderApp('/ooms?from=2026-05-01T10:00:00Z&to=2026-05-01T11:00:00Z&cause=batch', {});
    fireEvent.change(screen.getByTestId('time-range'), { target: { value: '7d' } });
    expect(currentQuery()).toEqual({ cause: 'batch', range: '7d' });
  });

  it('applies a custom window as from/to', () => {
    renderApp('/?range=6h', {});
    fireEvent.change(screen.getByTestId('time-range'), { target: { value: 'edit' } });
    fireEvent.change(screen.getByTestId('range-from'), { target: { value: '2026-05-01T10:00' } });
    fireEvent.change(screen.getByTestId('range-to'), { target: { value: '2026-05-01T09:00' } });
    expect(screen.getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByTestId('range-to'), { target: { value: '2026-05-01T12:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const q = currentQuery();
    expect(q['range']).toBeUndefined();
    expect(Date.parse(q['to'] ?? '') - Date.parse(q['from'] ?? '')).toBe(150 * 60_000);
    expect(new Date(q['from'] ?? '').getTime()).toBe(new Date('2026-05-01T10:00').getTime());
  });
});
