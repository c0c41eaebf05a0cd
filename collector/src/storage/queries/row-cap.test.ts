import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import { refuseOverCap } from './row-cap.js';

describe('refuseOverCap', () => {
  it('passes up to the cap and refuses one row more with a 422 that says what to do', () => {
    expect(() => refuseOverCap([1, 2, 3], 3, 'starts')).not.toThrow();
    let err: unknown;
    try {
      refuseOverCap([1, 2, 3, 4], 3, 'starts');
    } catch (e: unknown) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('COL_ERR_API_QUERY_TOO_EXPENSIVE');
    expect(err instanceof Error && err.message).toMatch(/more than 3 starts in the range: narrow the range or filter by host/);
  });

  it('takes a count of rows as well', () => {
    expect(() => refuseOverCap(3, 3, 'starts')).not.toThrow();
    expect(() => refuseOverCap(4, 3, 'starts')).toThrow(/more than 3 starts/);
  });
});
