import { describe, expect, it } from 'vitest';
import { fleet, gpu, host, utilization } from '../../testing/fixtures.js';
import { fleetSeries, summarizeFleet, utilizationHeatmap } from './transform.js';

describe('fleet transform', () => {
  it('counts busy GPUs only on hosts that report', () => {
    const f = fleet([
      host('a', [gpu({ utilization_ratio: 0.1 }), gpu({ index: 1, utilization_ratio: 0.09 })]),
      host('b', [gpu({ utilization_ratio: 1 })], { silent: true }),
    ]);
    expect(summarizeFleet(f.hosts)).toEqual({ hosts: 2, up: 1, silent: 1, gpus: 3, busyGpus: 1 });
  });

  it('draws the per-bucket fleet means and one heatmap row per host, null where a host has no value', () => {
    const pts = utilization([
      { t: '2026-05-01T11:00:00Z', host: 'a', u: 0.2, m: null },
      { t: '2026-05-01T11:00:00Z', host: 'b', u: 0.6, m: 0.5 },
      { t: '2026-05-01T11:01:00Z', host: 'a', u: null, m: null },
    ]);
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

  it('leaves out buckets no host reported in', () => {
    const u = { ...utilization([{ t: '2026-05-01T11:00:00Z', host: 'a', u: 0.5, m: 0.1 }]) };
    const wide = {
      ...u,
      times: [...u.times, '2026-05-01T11:01:00Z'],
      utilization_ratio: [0.5, null],
      memory_used_ratio: [0.1, null],
      hosts_reporting: [1, 0],
      hosts: [{ host: 'a', utilization_ratio: [0.5, null] }],
    };
    expect(fleetSeries(wide).map((p) => p.util)).toEqual([0.5]);
    expect(utilizationHeatmap(wide)).toEqual({ columns: [Date.parse('2026-05-01T11:00:00Z')], rows: [{ id: 'a', label: 'a', values: [0.5] }] });
  });
});
