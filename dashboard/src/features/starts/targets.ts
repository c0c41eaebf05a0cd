// The start targets come from the SLOs themselves (their indicator kind and threshold), so the page
// and the SLO file never disagree.
import type { SloStatus } from '@renderwatch/schema';

export interface StartTargets {
  warm: number | null;
  cold: number | null;
  firstImage: number | null;
  warmName?: string;
  coldName?: string;
}

export function targetsFrom(slos: readonly SloStatus[]): StartTargets {
  const find = (kind: string) => slos.find((s) => s.kind === kind && s.threshold_s !== null);
  const w = find('warm_start');
  const c = find('cold_start');
  const f = find('warm_first_image');
  return {
    warm: w?.threshold_s ?? null,
    cold: c?.threshold_s ?? null,
    firstImage: f?.threshold_s ?? null,
    ...(w === undefined ? {} : { warmName: w.name }),
    ...(c === undefined ? {} : { coldName: c.name }),
  };
}
