// The detail's `cost` when it is not worked out: training runs (no query at all), a cost query that
// fails (the detail still answers, the panel says why), a window before the raw samples kept. The figures: collector/test/cost-campaigns.int.test.ts.
import type { CampaignDetailCost } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { TenantScope } from '../../storage/scope.js';
import { raw } from '../../storage/sql.js';
import { campaignDetailCost, withRawRetention } from './campaigns.js';

const range = { from: new Date('2026-05-01T10:20:00Z'), to: new Date('2026-05-01T12:05:00Z') };
const opts = { prices: [], nowMs: Date.parse('2026-05-01T12:05:00Z'), rawRetentionDays: 7 };

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
    expect(await campaignDetailCost(s, 't-abc', range, opts)).toEqual({
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
    expect(await campaignDetailCost(s, 'c-1', range, opts)).toEqual({
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-01T13:00:00.000Z',
      ...unknownFigures,
      jobs: null,
      images: null,
      unattributed_jobs: null,
      unknown: 'failed',
      error_code: 'COL_ERR_API_QUERY_TOO_EXPENSIVE',
    });
    await expect(campaignDetailCost(scope(new TypeError('x is undefined')), 'c-1', range, opts)).rejects.toThrow('x is undefined');
  });

  it('has no GPU figures when the first sample the campaign needs is before the first day of raw samples kept', () => {
    // now 2026-05-08 12:00, 7 days kept: samples from 2026-05-01 00:00 on are kept
    const now = { nowMs: Date.parse('2026-05-08T12:00:00Z'), rawRetentionDays: 7 };
    const known: CampaignDetailCost = {
      from: '2026-04-30T00:00:00.000Z',
      to: '2026-05-08T12:00:00.000Z',
      gpu_names: ['NVIDIA L4'],
      jobs: 2,
      images: 8,
      unattributed_jobs: 0,
      gpu_hours: 1,
      energy_kwh: 0.2,
      cost: 0.5,
      unpriced_gpu_hours: 0,
      cost_per_image: 0.0625,
      unknown: null,
      error_code: null,
    };
    // the range reaches back to 04-30, but the campaign started on 05-01 00:00: all its samples kept
    expect(withRawRetention(known, '2026-05-01T00:00:00.000Z', now)).toEqual(known);
    // one minute earlier its first minute's samples may be gone
    expect(withRawRetention(known, '2026-04-30T23:59:00.000Z', now)).toEqual({ ...known, ...unknownFigures, unknown: 'past_raw_retention' });
    // a window starting after the campaign began counts only its samples in the window: kept
    expect(withRawRetention({ ...known, from: '2026-05-01T00:00:00.000Z' }, '2026-04-20T00:00:00.000Z', now).unknown).toBeNull();
    // an answer already unknown for another reason keeps it
    const failed = { ...known, ...unknownFigures, unknown: 'failed' as const, error_code: 'COL_ERR_STORAGE_UNREACHABLE' };
    expect(withRawRetention(failed, '2026-04-20T00:00:00.000Z', now)).toBe(failed);
  });
});
