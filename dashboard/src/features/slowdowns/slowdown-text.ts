import { formatPercent } from '../../lib/format.js';

/** "32% slower", "not slower", or "no baseline" when the host made no images in its baseline. */
export function dropText(drop: number | null, baselinePerMin: number): string {
  if (drop === null || baselinePerMin <= 0) return 'no baseline';
  return drop > 0 ? `${formatPercent(drop)} slower` : 'not slower';
}
