import { describe, expect, it } from 'vitest';
import { checkTimeParams } from './time-guard.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const msg = (q: Record<string, unknown>): string => {
  try {
    checkTimeParams(q, NOW, 400);
    return 'ok';
  } catch (err: unknown) {
    return (err as Error).message;
  }
};

describe('checkTimeParams', () => {
  it('accepts the edges of 1970-2100 and exactly the cap', () => {
    expect(msg({ from: '1970-01-01T00:00:00Z', to: '1970-01-02T00:00:00Z' })).toBe('ok');
    expect(msg({ from: '2099-12-31T00:00:00Z', to: '2099-12-31T23:59:59Z' })).toBe('ok');
    expect(msg({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:00Z' })).toBe('ok'); // 400 days
    expect(msg({ to: '2026-01-01T00:00:00+02:00' })).toBe('ok');
    expect(msg({})).toBe('ok');
  });

  it('refuses one second past each edge and the cap, saying what is allowed', () => {
    expect(msg({ from: '1969-12-31T23:59:59Z', to: '1970-01-02T00:00:00Z' })).toMatch(
      /^the request parameters are invalid: from: "1969-12-31T23:59:59Z" is not allowed; give an ISO-8601 time between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z$/,
    );
    expect(msg({ to: '2100-01-01T00:00:00Z' })).toMatch(/to: "2100-01-01T00:00:00Z" is not allowed/);
    expect(msg({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:01Z' })).toMatch(/range is 401 days; at most 400 days are allowed/);
    // only `from`: the range ends now (2026-06-01), so 2025-01-01 is 516 days
    expect(msg({ from: '2025-01-01T00:00:00Z' })).toMatch(/range is 516 days/);
    expect(msg({ from: '2026-06-02T00:00:00Z' })).toMatch(/from must be before to/);
    expect(msg({ to: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'] })).toMatch(/: to is given 2 times; give each parameter once$/);
    expect(msg({ host: ['a', 'b', 'c'] })).toMatch(/: host is given 3 times; give each parameter once$/);
    expect(msg({ hosts_limit: '' })).toMatch(/: hosts_limit is empty; give a value or leave the parameter out$/);
    expect(msg({ to: '2026-01-01' })).toMatch(/to: "2026-01-01" is not allowed/);
  });
});
