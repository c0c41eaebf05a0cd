import { describe, expect, it } from 'vitest';
import { AlertListQuerySchema } from './alerts.js';
import { DurationSchema, SloFileSchema, SloSpecSchema } from './slos.js';

describe('SloSpecSchema', () => {
  it('fills defaults: 30d window, 10 min_events, page and ticket enabled', () => {
    const s = SloSpecSchema.parse({ name: 'jobs', indicator: { kind: 'job_success' }, objective: 99 });
    expect(s).toEqual({
      name: 'jobs',
      indicator: { kind: 'job_success' },
      objective: 99,
      window: '30d',
      min_events: 10,
      selectors: {},
      labels: {},
      alerting: { page: { enabled: true }, ticket: { enabled: true } },
    });
  });

  it.each([
    [{ kind: 'cold_start' }, 'cold_start needs a threshold, e.g. 5m ("99% within 5m")'],
    [{ kind: 'oom_free', threshold: '5m' }, 'oom_free takes no threshold'],
  ])('refuses indicator %j', (indicator, message) => {
    const r = SloSpecSchema.safeParse({ name: 'x', indicator, objective: 99 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(message);
  });

  it.each([
    ['0', false],
    ['0s', true],
    ['15m', true],
    ['1.5h', false],
    ['30 d', false],
    ['1M', false],
  ])('duration %j valid: %s', (text, ok) => {
    expect(DurationSchema.safeParse(text).success).toBe(ok);
  });
});

describe('SloFileSchema', () => {
  it('refuses two rules with one name', () => {
    const r = SloFileSchema.safeParse({
      version: 'renderwatch/v1',
      alerts: [
        { name: 'a', kind: 'gpu_xid' },
        { name: 'a', kind: 'oom_storm' },
      ],
    });
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['alerts.1.name', 'duplicate alert name a']]);
  });
});

describe('AlertListQuerySchema', () => {
  it('coerces limit from the query string and accepts `active`', () => {
    expect(AlertListQuerySchema.parse({ state: 'active', limit: '50' })).toEqual({ state: 'active', limit: 50 });
    expect(AlertListQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
  });
});
