import type { JobStatsRow, VersionsHost } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { changePoints, diffStates, durationShifts, stateAt } from './versions-model.js';

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
const row = (model: string, jobs: number, ok: number, p50: number): JobStatsRow => ({
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
  seconds_per_image_p50_s: null,
  seconds_per_image_p90_s: null,
  seconds_per_image_p99_s: null,
});

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

  it('works out the p50 and completion change per model, job-weighted over runtimes', () => {
    const [s] = durationShifts([row('flux', 10, 10, 14)], [row('flux', 4, 2, 16), { ...row('flux', 4, 4, 18), runtime: 'forge' }]);
    // after: (16×4 + 18×4) ÷ 8 = 17 s; 17 ÷ 14 − 1 = +21.4%; ok 6 of 8
    expect(s?.afterP50).toBe(17);
    expect(Math.round((s?.change ?? 0) * 1000) / 1000).toBe(0.214);
    expect([s?.beforeOk, s?.afterOk]).toEqual([1, 0.75]);
  });
});
