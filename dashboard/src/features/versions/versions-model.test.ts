import type { JobStatsRow, VersionsHost } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { basisUnit, changePoints, diffStates, durationShifts, shiftHeader, stateAt } from './versions-model.js';

const host: VersionsHost = {
  host: 'ws-5090-01',
  timeline: [
    {
      runtime: 'comfyui',
      version: '0.3.56',
      extensions: ['ComfyUI-Manager'],
      first_start: '2026-05-01T06:00:00Z',
      last_start: '2026-05-02T06:00:00Z',
      starts: 2,
      previous_version: null,
      added: null,
      removed: null,
    },
    {
      runtime: 'comfyui',
      version: '0.3.62',
      extensions: ['ComfyUI-Manager', 'ComfyUI-KJNodes'],
      first_start: '2026-05-03T06:00:00Z',
      last_start: '2026-05-03T06:00:00Z',
      starts: 1,
      previous_version: '0.3.56',
      added: ['ComfyUI-KJNodes'],
      removed: [],
    },
  ],
  model_hashes: [
    { model: 'flux.safetensors', model_hash: 'aaaa', first_seen: '2026-05-01T07:00:00Z', last_seen: '2026-05-02T09:00:00Z', loads: 10 },
    { model: 'flux.safetensors', model_hash: 'bbbb', first_seen: '2026-05-02T10:00:00Z', last_seen: '2026-05-04T09:00:00Z', loads: 7 },
  ],
};
const row = (model: string, jobs: number, ok: number, p50: number, perImageP50: number | null = null): JobStatsRow => ({
  model,
  runtime: 'comfyui',
  jobs,
  ok,
  oom: 0,
  error: jobs - ok,
  interrupted: 0,
  completion_ratio: ok / jobs,
  images: ok,
  duration_p50_s: p50,
  duration_p90_s: null,
  duration_p99_s: null,
  seconds_per_image_p50_s: perImageP50,
  seconds_per_image_p90_s: null,
  seconds_per_image_p99_s: null,
});
const pct = (x: number | null | undefined): number => Math.round((x ?? Number.NaN) * 1000) / 1000;

describe('version drift', () => {
  it('lists the hash change and the upgrade with its new extension, oldest first', () => {
    expect(changePoints(host).map((c) => c.text)).toEqual(['flux.safetensors aaaa → bbbb', 'comfyui 0.3.56 → 0.3.62', 'comfyui extensions +ComfyUI-KJNodes']);
  });

  it('says what differs between two instants, and nothing between two instants of one period', () => {
    const a = stateAt(host, Date.parse('2026-05-01T12:00:00Z'));
    const b = stateAt(host, Date.parse('2026-05-04T00:00:00Z'));
    expect(diffStates(a, b)).toEqual(['comfyui: 0.3.56 → 0.3.62', 'comfyui extensions added: ComfyUI-KJNodes', 'flux.safetensors: aaaa → bbbb']);
    expect(diffStates(a, stateAt(host, Date.parse('2026-05-02T08:00:00Z')))).toEqual([]);
  });

  it('without seconds per image (an older collector) works out the job p50 and completion change, job-weighted over runtimes', () => {
    const shifts = durationShifts([row('flux', 10, 10, 14)], [row('flux', 4, 2, 16), { ...row('flux', 4, 4, 18), runtime: 'forge' }]);
    const [s] = shifts;
    // after: (16×4 + 18×4) ÷ 8 = 17 s; 17 ÷ 14 − 1 = +21.4%; ok 6 of 8
    expect(s?.basis).toBe('job');
    expect(s?.afterP50).toBe(17);
    expect(pct(s?.change)).toBe(0.214);
    expect([s?.beforeOk, s?.afterOk]).toEqual([1, 0.75]);
    expect(shiftHeader(shifts)).toBe('p50 job duration before → after');
  });

  it('compares seconds per image where both sides have it: the slowdown a smaller batch mix hides in the job p50', () => {
    // before: mostly batch 4 × 14 s/image → job p50 56 s; after: mostly batch 2 × 16.1 s/image → job p50 32.2 s
    const shifts = durationShifts([row('flux', 20, 20, 56, 14)], [row('flux', 30, 30, 32.2, 16.1)]);
    const [s] = shifts;
    expect(s?.basis).toBe('per_image');
    expect([s?.beforeP50, s?.afterP50]).toEqual([14, 16.1]);
    // 16.1 ÷ 14 − 1 = +15% (the job p50 would say 32.2 ÷ 56 − 1 = −42.5%)
    expect(pct(s?.change)).toBe(0.15);
    expect(shiftHeader(shifts)).toBe('p50 seconds per image before → after');
    expect(basisUnit(s?.basis ?? 'job')).toBe('s/image');
  });

  it('falls back to the job p50 for a model whose one side has no seconds per image, and the header says which is which', () => {
    // flux before: rolled up before migration 0028 (null); sdxl: both sides
    const shifts = durationShifts([row('flux', 10, 10, 56), row('sdxl', 8, 8, 20, 5)], [row('flux', 10, 10, 64, 16), row('sdxl', 8, 8, 22, 5.5)]);
    expect(shifts.map((x) => [x.model, x.basis, x.beforeP50, x.afterP50, pct(x.change)])).toEqual([
      ['flux', 'job', 56, 64, 0.143],
      ['sdxl', 'per_image', 5, 5.5, 0.1],
    ]);
    expect(shiftHeader(shifts)).toBe('p50 before → after: seconds per image, or job duration where marked s/job');
    expect(basisUnit('job')).toBe('s/job');
  });

  it('averages seconds per image over runtimes weighted by ok jobs, leaving out a runtime without one', () => {
    const before = [
      row('flux', 10, 6, 40, 10),
      { ...row('flux', 2, 2, 50, 14), runtime: 'forge' },
      // an invokeai runtime whose jobs all failed: no seconds per image, counted in jobs and completion
      { ...row('flux', 4, 0, 3), runtime: 'invokeai' },
    ];
    const [s] = durationShifts(before, [row('flux', 5, 5, 40, 12)]);
    // (10×6 + 14×2) ÷ 8 = 11 s/image (weighted by jobs it would be (10×10 + 14×2) ÷ 12 = 10.67); 12 ÷ 11 − 1 = +9.1%
    expect(s?.basis).toBe('per_image');
    expect(s?.beforeP50).toBe(11);
    expect(pct(s?.change)).toBe(0.091);
    expect([s?.jobsBefore, s?.beforeOk]).toEqual([16, 0.5]);
  });
});
