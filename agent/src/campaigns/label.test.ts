import { CAMPAIGN_LABEL_MAX } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { cleanCount, cleanLabel, declaredCampaign } from './label.js';

describe('campaign fields of extra_data (untrusted)', () => {
  it('cuts a 10 kB label at 128 code points', () => {
    const label = cleanLabel('x'.repeat(10_240));
    expect(label).toHaveLength(CAMPAIGN_LABEL_MAX);
  });

  it('never splits a character outside the BMP and drops control characters', () => {
    const label = cleanLabel(`${'🎨'.repeat(200)}`) ?? '';
    expect(Array.from(label)).toHaveLength(128);
    expect(label).toBe('🎨'.repeat(128)); // 256 UTF-16 units, no lone surrogate
    expect(cleanLabel('spring\u0000 lookbook\n\u001b[31m')).toBe('spring lookbook[31m');
    expect(cleanLabel('   ')).toBeUndefined();
    expect(cleanLabel(42)).toBeUndefined();
  });

  it('keeps SQL text as text (storage escapes it)', () => {
    expect(cleanLabel("x'); DROP TABLE runtime_events; --")).toBe("x'); DROP TABLE runtime_events; --");
  });

  it('takes planned counts only as whole numbers in range', () => {
    expect(cleanCount(40)).toBe(40);
    for (const bad of [0, -1, 2.5, Number.NaN, 1e12, '40']) expect(cleanCount(bad)).toBeUndefined();
  });

  it('reads only client_id and the renderwatch_campaign keys', () => {
    expect(
      declaredCampaign({
        client_id: 'abc',
        renderwatch_campaign: 'lookbook',
        renderwatch_campaign_jobs: 40,
        renderwatch_campaign_images: 160,
        extra_pnginfo: { workflow: { nodes: [{ widgets_values: ['secret prompt'] }] } },
      }),
    ).toEqual({ clientId: 'abc', label: 'lookbook', plannedJobs: 40, plannedImages: 160 });
    expect(declaredCampaign(null)).toEqual({});
    expect(declaredCampaign(['x'])).toEqual({});
  });
});
