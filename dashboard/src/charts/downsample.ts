// Fewer points than pixels: a chart `px` wide never needs more than two points per pixel. Rows are
// cut into `px` time-ordered buckets; each bucket keeps two rows, and for every series the earlier
// row carries whichever of its min and max came first and the later row the other, so peaks and
// dips (a throttle, a temperature spike) survive and each line keeps its up/down order.
import type { SeriesPoint } from './TimeSeriesChart.js';

export function downsample(data: SeriesPoint[], keys: string[], px: number): SeriesPoint[] {
  const buckets = Math.max(1, Math.floor(px));
  if (data.length <= 2 * buckets) return data;
  const out: SeriesPoint[] = [];
  const per = data.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * per);
    const to = Math.floor((b + 1) * per);
    if (to <= from) continue;
    const first: SeriesPoint = { t: data[from]!.t };
    const last: SeriesPoint = { t: data[to - 1]!.t };
    for (const k of keys) {
      let min: number | null = null;
      let max: number | null = null;
      let minAt = 0;
      let maxAt = 0;
      for (let i = from; i < to; i++) {
        const v = data[i]![k];
        if (typeof v !== 'number') continue;
        if (min === null || v < min) [min, minAt] = [v, i];
        if (max === null || v > max) [max, maxAt] = [v, i];
      }
      const minFirst = minAt <= maxAt;
      first[k] = minFirst ? min : max;
      last[k] = minFirst ? max : min;
    }
    out.push(first);
    if (to - 1 > from) out.push(last);
  }
  return out;
}
