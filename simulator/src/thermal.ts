// Temperatures of a simulated GPU: the card follows its load within a minute or two (τ 90 s), the
// case's air heats up over an hour (τ 75 min) — so a badly cooled case starts throttling in its
// second hour of sustained load, as the seeds' workstation did.
export const AMBIENT_C = 32;
export const THROTTLE_C = 84;
const GPU_TAU_S = 90;
const CASE_TAU_S = 4500;

/** Case air above ambient after `dtS` seconds at `util`: a bad case gains up to 19 °C, a good one 4 °C. */
export function caseStep(caseC: number, util: number, hot: boolean, dtS: number): number {
  const target = (hot ? 19 : 4) * util;
  return caseC + (target - caseC) * (1 - Math.exp(-dtS / CASE_TAU_S));
}

/** GPU temperature after `dtS` seconds at `util`, settling at the profile's load temperature plus the case's heat. */
export function gpuTempStep(temp: number, loadC: number, caseC: number, util: number, dtS: number): number {
  const target = AMBIENT_C + caseC + (loadC - AMBIENT_C) * util;
  return temp + (target - temp) * (1 - Math.exp(-dtS / GPU_TAU_S));
}

export interface Span {
  from: number;
  to: number;
  vram: number;
}

/**
 * Share of (from, to] covered by the sorted, non-overlapping spans of GPU `gi`, and the largest VRAM
 * of a span in it; `cursor[gi]` remembers where the previous window's search ended.
 */
export function busyShare(spans: readonly Span[], cursor: number[], gi: number, from: number, to: number): { share: number; vram: number } {
  let i = cursor[gi] ?? 0;
  while (i < spans.length && (spans[i]?.to ?? 0) <= from) i++;
  cursor[gi] = i;
  let busy = 0;
  let vram = 0;
  for (let j = i; j < spans.length; j++) {
    const s = spans[j];
    if (s === undefined || s.from >= to) break;
    busy += Math.min(to, s.to) - Math.max(from, s.from);
    vram = Math.max(vram, s.vram);
  }
  return { share: to > from ? Math.min(1, busy / (to - from)) : 0, vram };
}
