import { useEffect } from 'react';
import { useQueryState } from '../app/router.js';

/**
 * Pages about rare events (starts, cost, version changes) open on a longer range than the fleet's
 * last hour: when the URL names no range, this one is written into it (replace, so Back still works).
 */
export function useDefaultRange(id: string): void {
  const [params, setParams] = useQueryState();
  const missing = !params.has('range') && !params.has('from') && !params.has('to');
  useEffect(() => {
    if (missing) setParams({ range: id }, { replace: true });
  }, [missing, id, setParams]);
}
