import { describe, expect, it } from 'vitest';
import { fleet, gpu, host } from '../../testing/fixtures.js';
import { fleetSeries, summarizeFleet, utilizationHeatmap } from './transform.js';

describe('fleet transform', () => {
  it('counts busy GPUs only on hosts that report', () => {
    const f = fleet([host('a', [gpu({ utilization_ratio: 0.1 }), gpu({ index: 1, utilization_ratio: 0.09 })]), host('b', [gpu({ utilization_ratio: 1 })], { silent: true })]);
    expect(summarizeFleet(f.hosts)).toEqual({ hosts: 2, up: 1, silent: 1, gpus: 3, busyGpus: 1 });
  });

  it('averages hosts per bucket, skipping missing values', () => {
    const pts = [
      { t: '2026-05-01T11:00:00Z', host: 'a', utilization_ratio: 0.2, memory_used_ratio: null },
      { t: '2026-05-01T11:00:00Z', host: 'b', utilization_ratio: 0.6, memory_used_ratio: 0.5 },
      { t: '2026-05-01T11:01:00Z', host: 'a', utilization_ratio: null, memory_used_ratio: null },
    ];
    const s = fleetSeries(pts);
    expect(s.map((p) => [p.util, p.mem])).toEqual([
      [0.4, 0.5],
      [null, null],
    ]);
    const h = utilizationHeatmap(pts);
    expect(h.rows).toEqual([
      { id: 'a', label: 'a', values: [0.2, null] },
      { id: 'b', label: 'b', values: [0.6, null] },
    ]);
  });
});
