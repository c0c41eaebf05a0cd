import { describe, expect, it } from 'vitest';
import type { GpuSeries, ThrottleBand } from '@renderwatch/schema';
import { chartSeries, eventMarkers, gpuColumns, throttleBands } from './series.js';

const gpus: GpuSeries[] = [0, 1].map((i) => ({ uuid: `G${i}`, index: i, name: 'L40S', points: [] }));
const band = (gpu: string, reason: ThrottleBand['reason'], from: string, to: string): ThrottleBand => ({
  gpu_uuid: gpu,
  reason,
  from: `2026-05-01T${from}:00Z`,
  to: `2026-05-01T${to}:00Z`,
  peak_share: 1,
});

const pts = (u: number) => [{ t: '2026-05-01T10:00:00Z', utilization_ratio: u }] as GpuSeries['points'];

const marker = (kind: 'oom' | 'model_load' | 'runtime_start', gpu: number | null) => ({
  ts: '2026-05-01T10:00:00Z',
  kind,
  runtime: 'comfyui',
  gpu_index: gpu,
  label: '',
});

describe('host series shaping', () => {
  it('merges overlapping and touching bands per reason, only for the shown GPUs', () => {
    const bands = [
      band('G0', 'thermal', '10:00', '10:05'),
      band('G1', 'thermal', '10:04', '10:08'),
      band('G1', 'thermal', '10:08', '10:09'),
      band('G0', 'thermal', '11:00', '11:01'),
      band('G1', 'power', '10:00', '10:01'),
      band('G9', 'power', '12:00', '12:01'),
    ];
    const out = throttleBands(bands, gpus).map((b) => [b.label, new Date(b.from).toISOString().slice(11, 16), new Date(b.to).toISOString().slice(11, 16)]);
    expect(out).toEqual([
      ['thermal', '10:00', '10:09'],
      ['thermal', '11:00', '11:01'],
      ['power cap', '10:00', '10:01'],
    ]);
    expect(throttleBands(bands, gpus.slice(0, 1))).toHaveLength(2);
  });

  it('puts each GPU in its own column by time', () => {
    const rows = gpuColumns([{ ...gpus[0], points: pts(0.5) } as GpuSeries, { ...gpus[1], points: pts(0.9) } as GpuSeries], (p) => p.utilization_ratio);
    expect(rows).toEqual([{ t: Date.parse('2026-05-01T10:00:00Z'), g0: 0.5, g1: 0.9 }]);
  });

  it('draws OOMs and starts of the chosen GPU (or host-wide ones), not model loads', () => {
    expect(eventMarkers([marker('oom', 1), marker('oom', 0), marker('model_load', 1), marker('runtime_start', null)], 1).map((x) => x.label)).toEqual([
      'OOM',
      'runtime start',
    ]);
  });
});

const gpuAt = (i: number, u: number): GpuSeries => ({
  uuid: `G${i}`,
  index: i,
  name: 'H100',
  points: [{ t: '2026-05-01T10:00:00Z', utilization_ratio: u } as GpuSeries['points'][number]],
});

describe('chartSeries', () => {
  it('draws one line per GPU up to four GPUs, mean and max above', () => {
    const g = gpuAt;
    const four = chartSeries([g(0, 0.1), g(1, 0.2), g(2, 0.3), g(3, 0.4)], (x) => x.utilization_ratio);
    expect(four.series.map((s) => s.key)).toEqual(['g0', 'g1', 'g2', 'g3']);
    const eight = chartSeries(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => g(i, i / 10)),
      (x) => x.utilization_ratio,
    );
    expect(eight.series.map((s) => s.label)).toEqual(['mean of 8 GPUs', 'max GPU']);
    expect(eight.data[0]?.['mean']).toBeCloseTo(0.35);
    expect(eight.data[0]?.['max']).toBe(0.7);
  });

  it('merges bands less than the gap apart: a comb of on/off minutes draws one stretch', () => {
    const g = [{ index: 0, uuid: 'GPU-a', name: 'A10G', points: [] }] as unknown as Parameters<typeof throttleBands>[1];
    const comb = Array.from({ length: 30 }, (_, i) => ({
      gpu_uuid: 'GPU-a',
      reason: 'thermal' as const,
      from: new Date(Date.UTC(2026, 4, 1, 12, 2 * i)).toISOString(),
      to: new Date(Date.UTC(2026, 4, 1, 12, 2 * i + 1)).toISOString(),
      peak_share: 1,
    }));
    expect(throttleBands(comb, g)).toHaveLength(30);
    const merged = throttleBands(comb, g, 2 * 60_000);
    expect(merged.map((b) => [new Date(b.from).toISOString().slice(11, 16), new Date(b.to).toISOString().slice(11, 16)])).toEqual([['12:00', '12:59']]);
  });
});
