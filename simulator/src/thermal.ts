// Temperatures of a simulated GPU: the card follows its load within a minute or two (τ 90 s), the
// case's air heats up over an hour (τ 75 min) — so a badly cooled case starts throttling in its
// second hour of sustained load, as the seeds' workstation did. A failed fan lets the air around
// the cards climb ~23 °C under full load: enough that a card busy 80% of the time or more crosses
// the 84 °C slowdown point once the case has heated (an A10G at 0.85 settles near 86 °C), while a
// half-busy card stays clear.
export const AMBIENT_C = 32;
export const THROTTLE_C = 84;
const GPU_TAU_S = 90;
const CASE_TAU_S = 4500;
const HOT_CASE_C = 23;

/**
 * Case air above ambient `sinceS` seconds after the cooling failed, under a typical busy share: where a
 * chunk of history starts inside the hot period, it continues from there instead of from a cool case.
 */
export function hotCaseAfter(sinceS: number, util = 0.85): number {
  return caseStep(3, util, true, Math.max(0, sinceS));
}

/** Case air above ambient after `dtS` seconds at `util`: a bad case gains up to 23 °C, a good one 4 °C. */
export function caseStep(caseC: number, util: number, hot: boolean, dtS: number): number {
  const target = (hot ? HOT_CASE_C : 4) * util;
  return caseC + (target - caseC) * (1 - Math.exp(-dtS / CASE_TAU_S));
}

/** Clock of a thermally slowed card, as a share of its maximum (its samples report it). */
export const THROTTLED_CLOCK = 0.72;

/**
 * The share of full heat a card puts out: a card the driver slowed for heat runs at the throttled
 * clock and heats less, falls back under the slowdown point and speeds up again — so a hot, busy
 * card throttles on and off (about every other minute-sample), not on every sample, as real cards
 * hold their slowdown temperature.
 */
export function heatShare(util: number, throttled: boolean): number {
  return throttled ? util * THROTTLED_CLOCK : util;
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
