import { useMemo } from 'react';
import { useQueryState } from '../app/router.js';
import { parseTimeRange, rangeKey, type TimeRange } from './time-range.js';

/** The page's time range from the URL, with a stable key for queries. */
export function useTimeRange(): { range: TimeRange; key: string } {
  const [params] = useQueryState();
  return useMemo(() => {
    const range = parseTimeRange(params);
    return { range, key: rangeKey(range) };
  }, [params]);
}
