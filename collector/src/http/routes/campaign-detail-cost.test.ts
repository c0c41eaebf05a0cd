// The detail's `cost` when it is not worked out: training runs (no query at all) and a cost query
// that fails (the detail still answers, the panel says why). The figures: collector/test/cost-campaigns.int.test.ts.
import type { CampaignDetail } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { TenantScope } from '../../storage/scope.js';
import { raw } from '../../storage/sql.js';
import { campaignDetailCost } from './campaigns.js';

const range = { from: new Date('2026-05-01T10:20:00Z'), to: new Date('2026-05-01T12:05:00Z') };
const opts = { prices: [], nowMs: Date.parse('2026-05-01T12:05:00Z'), rawRetentionDays: 7 };
const detail = (id: string): CampaignDetail => ({ id, first_at: '2026-05-01T10:30:00.000Z' }) as CampaignDetail;

function scope(fail: Error): TenantScope & { queries: number } {
  const s = {
    tenant: 't',
    queries: 0,
    rows: () => raw('(SELECT 1)'),
    query: () => {
      s.queries++;
      return Promise.reject(fail);
    },
  };
  return s as unknown as TenantScope & { queries: number };
}

const unknownFigures = { gpu_names: [], gpu_hours: null, energy_kwh: null, cost: null, unpriced_gpu_hours: null, cost_per_image: null };

describe('campaignDetailCost', () => {
  it('does not attribute a training run (its events carry no campaign id) and asks nothing', async () => {
    const s = scope(new Error('no query expected'));
    expect(await campaignDetailCost(s, detail('t-abc'), range, opts)).toEqual({
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-01T13:00:00.000Z',
      ...unknownFigures,
      jobs: null,
      images: null,
      unattributed_jobs: null,
      unknown: 'training_run',
      error_code: null,
    });
    expect(s.queries).toBe(0);
  });

  it('answers the failed query’s code instead of failing the detail; a bug is not hidden', async () => {
    const s = scope(new AppError('COL_ERR_API_QUERY_TOO_EXPENSIVE', 'too slow'));
    expect(await campaignDetailCost(s, detail('c-1'), range, opts)).toEqual({
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-01T13:00:00.000Z',
      ...unknownFigures,
      jobs: null,
      images: null,
      unattributed_jobs: null,
      unknown: 'failed',
      error_code: 'COL_ERR_API_QUERY_TOO_EXPENSIVE',
    });
    await expect(campaignDetailCost(scope(new TypeError('x is undefined')), detail('c-1'), range, opts)).rejects.toThrow('x is undefined');
  });
});
