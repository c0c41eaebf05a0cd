import { CLOCK_EVENT_REASON_BITS, type RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { demoFleetSpecs, type DemoHostSpec } from './demo-fleet.js';
import { campaignTimeline } from './history-campaigns.js';
import { OOM_SHAPES, oomEvent } from './history-ooms.js';
import { generateChunk } from './history.js';

const END = Date.UTC(2026, 4, 4, 12, 0, 0);
const H = 3600_000;
const spec = (name: string): DemoHostSpec => {
  const s = demoFleetSpecs().find((x) => x.hostname === name);
  if (s === undefined) throw new Error(name);
  return s;
};
const chunk = (name: string, fromH: number, toH: number, interval = 60_000) =>
  generateChunk({ spec: spec(name), endMs: END, fromMs: END - fromH * H, toMs: END - toH * H, sampleIntervalMs: interval, seed: 42 });
const thermal = (g: { clock_event_reasons_mask?: number }): boolean => ((g.clock_event_reasons_mask ?? 0) & CLOCK_EVENT_REASON_BITS.sw_thermal_slowdown) !== 0;
const state = (): { version: string; extensions: string[] } => ({ version: '0.3.56', extensions: ['ComfyUI-Manager'] });
const kinds = (events: ReturnType<typeof campaignTimeline>['events']): ReturnType<typeof campaignTimeline>['events'][number]['event'][] =>
  events.map((e) => e.event);
type JobEnd = Extract<RuntimeEvent, { kind: 'job_end' }>;

describe('demo history chunks', () => {
  it('keep the broken A100 failing in every last 5 minutes, whatever the duty drew (the demo SLO page must page)', () => {
    // 20 end times: before the broken host's queue kept its GPUs busy, some had no A100 job end in
    // the last 5 minutes at all (the 5-minute burn window then saw no failures)
    for (let k = 0; k < 20; k++) {
      const endMs = 1_796_600_000_000 + k * 3_700_123;
      const c = generateChunk({ spec: spec('video-a100-01'), endMs, fromMs: endMs - 6 * H, toMs: endMs, sampleIntervalMs: 120_000, seed: 42 });
      const ends = c.events.filter((e) => e.event.kind === 'job_end' && e.ts_unix_ms > endMs - 300_000).map((e) => e.event as JobEnd);
      const failed = ends.filter((e) => e.outcome !== 'ok').length;
      expect(ends.length, `end time ${k}`).toBeGreaterThanOrEqual(4);
      expect(failed / ends.length, `end time ${k}`).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('are deterministic, one sample per GPU per interval, events inside the chunk only', () => {
    const a = chunk('rack-b-a10g-01', 6, 0);
    expect(chunk('rack-b-a10g-01', 6, 0)).toEqual(a);
    expect(a.samples).toHaveLength(360);
    expect(a.samples.every((s) => s.gpus.length === 2)).toBe(true);
    expect(a.events.every((e) => e.ts_unix_ms >= END - 6 * H && e.ts_unix_ms < END)).toBe(true);
  });

  it('a 5090 makes SDXL images in 4–7 s and Flux in 12–20 s, and draws its 575 W limit when busy all minute', () => {
    const c = chunk('ws-5090-02', 48, 0);
    const ends = c.events.map((e) => e.event).filter((e): e is JobEnd => e.kind === 'job_end' && e.outcome === 'ok');
    const per = (m: string) => ends.filter((e) => e.model === m && (e.images ?? 0) > 0).map((e) => (e.duration_s ?? 0) / (e.images ?? 1));
    // a job's first model load (page cache or disk) adds up to 26 s; take jobs without one
    const sdxl = per('sd_xl_base_1.0.safetensors').sort((x, y) => x - y);
    const flux = per('flux1-dev-fp8.safetensors').sort((x, y) => x - y);
    expect(sdxl.length).toBeGreaterThan(20);
    expect(flux.length).toBeGreaterThan(20);
    expect(sdxl[Math.floor(sdxl.length / 2)]).toBeGreaterThanOrEqual(4);
    expect(sdxl[Math.floor(sdxl.length / 2)]).toBeLessThanOrEqual(7);
    expect(flux[Math.floor(flux.length / 2)]).toBeGreaterThanOrEqual(12);
    expect(flux[Math.floor(flux.length / 2)]).toBeLessThanOrEqual(20);
    const full = c.samples.flatMap((s) => s.gpus).filter((g) => (g.utilization_gpu_ratio ?? 0) >= 0.95);
    expect(full.length).toBeGreaterThan(0);
    expect(full.every((g) => g.power_draw_watts === 575)).toBe(true);
  });

  it('the rack whose cooling failed 30 h ago never throttled before, and throttles by its second hour of load', () => {
    const before = chunk('rack-b-a10g-01', 48, 30).samples.flatMap((s) => s.gpus);
    expect(before.filter(thermal)).toHaveLength(0);
    const after = chunk('rack-b-a10g-01', 30, 0).samples;
    const first = after.findIndex((s) => s.gpus.some(thermal));
    expect(first).toBeGreaterThan(30); // not in the first half hour: the case air heats up first
    expect(first).toBeLessThan(6 * 60);
    expect(Math.max(...after.flatMap((s) => s.gpus.map((g) => g.temperature_celsius ?? 0)))).toBeGreaterThanOrEqual(84);
  });

  it('the Flux file swapped 76 h ago on ws-5090-01 carries its new hash and makes Flux jobs slower', () => {
    const c = chunk('ws-5090-01', 120, 30);
    const loads = c.events.map((e) => ({ t: e.ts_unix_ms, e: e.event })).filter((x) => x.e.kind === 'model_load' && x.e.model === 'flux1-dev-fp8.safetensors');
    const swap = END - 76 * H;
    expect(new Set(loads.filter((x) => x.t < swap).map((x) => (x.e as { model_hash?: string }).model_hash))).toEqual(new Set(['8e91b68084']));
    expect(new Set(loads.filter((x) => x.t >= swap).map((x) => (x.e as { model_hash?: string }).model_hash))).toEqual(new Set(['0f7a3c1e55']));
    const perImage = (pred: (t: number) => boolean) => {
      const v = c.events
        .filter((e) => pred(e.ts_unix_ms) && e.event.kind === 'job_end' && e.event.model === 'flux1-dev-fp8.safetensors' && e.event.outcome === 'ok')
        .map((e) => ((e.event as JobEnd).duration_s ?? 0) / ((e.event as JobEnd).images ?? 1))
        .sort((x, y) => x - y);
      return v[Math.floor(v.length / 2)] ?? Number.NaN;
    };
    const ratio = perImage((t) => t >= swap) / perImage((t) => t < swap);
    expect(ratio).toBeGreaterThan(1.05);
    expect(ratio).toBeLessThan(1.3);
  });

  it('OOM numbers agree with the rule each cause names (agent/src/runtime-logs/oom-cause.ts)', () => {
    const total = 24 * 1024 ** 3;
    for (const s of OOM_SHAPES) {
      const e = oomEvent('comfyui', s.cause, total, 0);
      expect(e.cause_rule).toBe(s.rule);
      const req = e.requested_bytes ?? 0;
      if (s.rule.startsWith('request_exceeds_total')) expect(req).toBeGreaterThan(total);
      else expect(req).toBeLessThanOrEqual(total);
      // rules before the one named must not match: the device had no room for the request, except for 'free_covers_request'
      if (s.rule === 'free_covers_request') expect(e.free_bytes ?? 0).toBeGreaterThanOrEqual(req);
      else expect(e.free_bytes ?? 0).toBeLessThan(req);
      if (s.rule === 'other_processes_reported') expect(e.other_processes_bytes).toBeGreaterThanOrEqual(1024 ** 3);
      if (s.rule === 'reserved_unallocated_exceeds_request') expect(e.reserved_unallocated_bytes ?? 0).toBeGreaterThanOrEqual(req);
      if (s.rule === 'addons_loaded_in_job' || s.rule === 'oom_during_model_load') {
        expect(e.reserved_unallocated_bytes ?? 0).toBeLessThan(req);
        const unaccounted = total - (e.free_bytes ?? 0) - (e.allocated_bytes ?? 0) - (e.reserved_unallocated_bytes ?? 0);
        expect(unaccounted).toBeLessThan(Math.max(1024 ** 3, req));
      }
    }
  });
});

describe('demo campaigns', () => {
  const base = { label: 'x', startHoursAgo: 10, jobs: 20, family: 'sdxl' as const, batch: 4, interruptAtJob: 7 };

  it('resumed: the lost job is run again, 20 jobs end ok with 20 distinct keys, one restart and one interruption', () => {
    const ev = kinds(campaignTimeline('h', 'comfyui', 0, 1, END, { ...base, resumed: true }, state).events);
    const ends = ev.filter((e) => e.kind === 'job_end');
    expect(ends).toHaveLength(20);
    expect(new Set(ends.map((e) => (e as { job_key?: string }).job_key)).size).toBe(20);
    expect(ev.filter((e) => e.kind === 'job_start')).toHaveLength(21);
    expect(ev.filter((e) => e.kind === 'runtime_start')).toHaveLength(1);
    expect(ev.filter((e) => e.kind === 'campaign' && e.interruption === 'runtime_restart' && e.lost_jobs === 1)).toHaveLength(1);
  });

  it('started over: the 7 jobs done before the restart are done again (27 ends, 20 keys)', () => {
    const ev = kinds(campaignTimeline('h', 'comfyui', 0, 1, END, { ...base, resumed: false }, state).events);
    const ends = ev.filter((e) => e.kind === 'job_end');
    expect(ends).toHaveLength(27);
    expect(new Set(ends.map((e) => (e as { job_key?: string }).job_key)).size).toBe(20);
  });
});
