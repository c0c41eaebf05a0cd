// Whether a campaign's images are still there: each remembered output file (comfyui-campaigns.ts
// keeps the last OUTPUTS_KEPT per campaign; file names never leave the host) is asked of the
// runtime (ComfyUI: `HEAD /view`). Run after a runtime restart, after an agent restart and when the
// campaign ends (docs/signals.md "Interruption kinds", "Images missing").
import type { OutputFileRef } from './comfyui-campaigns.js';

/** Whether the runtime still serves a file; undefined when it could not tell (no answer, unexpected status). */
export type OutputProbe = (f: OutputFileRef) => Promise<boolean | undefined>;

/**
 * Per campaign, how many of its files the runtime no longer serves; a campaign with any file left
 * unanswered is left out (not checked, rather than a guess).
 */
export async function missingOutputs(byCampaign: ReadonlyMap<string, readonly OutputFileRef[]>, probe: OutputProbe): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [id, files] of byCampaign) {
    let gone = 0;
    let known = true;
    for (const f of files) {
      const served = await probe(f);
      if (served === undefined) known = false;
      else if (!served) gone++;
    }
    if (known) out.set(id, gone);
  }
  return out;
}
