import { describe, expect, it } from 'vitest';
import { OOM_CAUSES } from './events.js';
import { OOM_ADVICE, OOM_CAUSE_LABELS, oomAdviceFor, oomCauseLabel } from './oom-advice.js';

describe('OOM labels and advice', () => {
  it('has exactly one label and one piece of advice per cause, none empty', () => {
    expect(Object.keys(OOM_ADVICE).sort()).toEqual([...OOM_CAUSES].sort());
    expect(Object.keys(OOM_CAUSE_LABELS).sort()).toEqual([...OOM_CAUSES].sort());
    for (const c of OOM_CAUSES) expect(OOM_ADVICE[c].length, c).toBeGreaterThan(20);
    expect(new Set(Object.values(OOM_ADVICE)).size).toBe(OOM_CAUSES.length);
  });

  it('gives a cause this build does not know the unknown advice and its own name as label', () => {
    expect(oomAdviceFor('batch')).toBe(OOM_ADVICE.batch);
    expect(oomAdviceFor('cosmic_ray')).toBe(OOM_ADVICE.unknown);
    expect(oomAdviceFor('toString')).toBe(OOM_ADVICE.unknown);
    expect(oomCauseLabel('other_process')).toBe('other process');
    expect(oomCauseLabel('cosmic_ray')).toBe('cosmic_ray');
  });
});
