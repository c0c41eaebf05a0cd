import { describe, expect, it } from 'vitest';
import { campaignRows } from './campaign-cost.js';

const HOUR = 3600_000;
const prices = [{ match: 'H100', price: 2 }];

const share = (c: string, ms: number, gn = 'NVIDIA H100') => ({ c, gn, ms, joules: 0, en: 0 });

describe('campaignRows', () => {
  it('prices each GPU model apart, keeps unpriced GPU-hours out of the money, and says when energy is unknown', () => {
    const rows = campaignRows(
      ['c-1', 'c-2', 'c-3'],
      [
        { campaign_id: 'c-1', label: 'stills', runtime: 'comfyui', hosts: ['b', 'a'] },
        { campaign_id: 'c-2', label: '', runtime: 'forge', hosts: ['a'] },
      ],
      [
        // c-1: 2 h on an H100 at $2 (7.2 MJ = 2 kWh) and 1 h on a card without a price (no energy reading)
        { c: 'c-1', gn: 'NVIDIA H100', ms: 2 * HOUR, joules: 7.2e6, en: 120 },
        { c: 'c-1', gn: 'NVIDIA X9', ms: String(HOUR), joules: 0, en: 0 },
        // c-2: only the unpriced card, no energy readings
        { c: 'c-2', gn: 'NVIDIA X9', ms: HOUR / 2, joules: 0, en: 0 },
      ],
      [
        { c: 'c-1', jobs: 10, images: '40', unattributed: 1 },
        { c: 'c-2', jobs: 3, images: 3, unattributed: 0 },
      ],
      prices,
    );
    expect(rows).toEqual([
      {
        id: 'c-1',
        label: 'stills',
        runtime: 'comfyui',
        hosts: ['a', 'b'],
        gpu_names: ['NVIDIA H100', 'NVIDIA X9'],
        jobs: 10,
        images: 40,
        unattributed_jobs: 1,
        gpu_hours: 3,
        energy_kwh: 2,
        cost: 4,
        unpriced_gpu_hours: 1,
        cost_per_image: 0.1,
      },
      {
        id: 'c-2',
        label: null,
        runtime: 'forge',
        hosts: ['a'],
        gpu_names: ['NVIDIA X9'],
        jobs: 3,
        images: 3,
        unattributed_jobs: 0,
        gpu_hours: 0.5,
        energy_kwh: null,
        cost: null,
        unpriced_gpu_hours: 0.5,
        cost_per_image: null,
      },
      // a campaign found but with no job events left in the range and no GPU time
      {
        id: 'c-3',
        label: null,
        runtime: '',
        hosts: [],
        gpu_names: [],
        jobs: 0,
        images: 0,
        unattributed_jobs: 0,
        gpu_hours: 0,
        energy_kwh: null,
        cost: null,
        unpriced_gpu_hours: 0,
        cost_per_image: null,
      },
    ]);
  });

  it('orders by money, then GPU-hours, then id', () => {
    const rows = campaignRows(['a', 'b', 'c', 'd'], [], [share('a', HOUR), share('b', 2 * HOUR), share('c', 3 * HOUR, 'X'), share('d', HOUR)], [], prices);
    expect(rows.map((r) => [r.id, r.cost])).toEqual([
      ['b', 4],
      ['a', 2],
      ['d', 2],
      ['c', null],
    ]);
  });
});
