// Routes that pair or group raw events in the collector read at most a fixed number of rows. A
// query that would need more is refused with a clear 422 rather than answered from a silently cut
// prefix of the range (the newest rows would be the ones missing).
import { AppError } from '../../errors.js';

/**
 * Throws COL_ERR_API_QUERY_TOO_EXPENSIVE when `rows` (the rows read with `LIMIT max + 1`, or a count
 * of them) exceeds `max`.
 */
export function refuseOverCap(rows: readonly unknown[] | number, max: number, what: string): void {
  if ((typeof rows === 'number' ? rows : rows.length) > max) {
    throw new AppError('COL_ERR_API_QUERY_TOO_EXPENSIVE', `more than ${max} ${what} in the range: narrow the range or filter by host`);
  }
}
