import { ExportRequest, GpuSample, HostIdentity, HostSample, RuntimeEvent } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { validateRequest } from './validate.js';

const gpu = (over: Partial<GpuSample> = {}): GpuSample => ({ ...GpuSample.fromPartial({}), tsUnixMs: 1, index: 0, uuid: 'GPU-1', name: 'L4', ...over });
const req = (p: Partial<ExportRequest>): ExportRequest => ({
  ...ExportRequest.fromPartial({ agentId: 'a', batchSeq: 1 }),
  host: { ...HostIdentity.fromPartial({}), hostname: 'h' },
  ...p,
});

/** An event whose body is `value` under `$case`, numbers as given (no proto defaults filled in). */
function e(value: Record<string, unknown>, $case = 'jobEnd'): RuntimeEvent {
  return { ...RuntimeEvent.fromPartial({ tsUnixMs: 1 }), body: { $case, value } as unknown as RuntimeEvent['body'] };
}
describe('validateRequest', () => {
  it('keeps the edges of each range and drops one step past them, field by field', () => {
    const r = req({
      gpuSamples: [
        gpu({
          temperatureCelsius: -40,
          powerDrawWatts: 5000,
          utilizationGpuRatio: 1.5,
          smClockMhz: 10_000,
          intervalMs: 3_600_000,
          energyDeltaJoules: 18_000_000,
        }),
        gpu({
          index: 1,
          uuid: 'GPU-2',
          temperatureCelsius: 150.1,
          powerDrawWatts: -0.1,
          utilizationGpuRatio: 1.51,
          smClockMhz: 10_001,
          intervalMs: 0,
          energyDeltaJoules: 18_000_001,
        }),
      ],
    });
    const out = validateRequest(r);
    expect(r.gpuSamples.map((g) => [g.temperatureCelsius, g.powerDrawWatts, g.utilizationGpuRatio, g.smClockMhz, g.intervalMs, g.energyDeltaJoules])).toEqual([
      [-40, 5000, 1.5, 10_000, 3_600_000, 18_000_000],
      [undefined, undefined, undefined, undefined, undefined, undefined],
    ]);
    expect(out.map((x) => `${x.field}/${x.reason}`).sort()).toEqual(
      [
        'gpu_samples.utilization_gpu_ratio/out_of_range',
        'gpu_samples.temperature_celsius/out_of_range',
        'gpu_samples.power_draw_watts/out_of_range',
        'gpu_samples.sm_clock_mhz/out_of_range',
        'gpu_samples.interval_ms/out_of_range',
        'gpu_samples.energy_delta_joules/out_of_range',
      ].sort(),
    );
  });

  it('drops a row whose GPU index or uuid is impossible, and the 65th distinct GPU of a host', () => {
    const r = req({
      gpuSamples: [gpu({ index: 63 }), gpu({ index: 64, uuid: 'GPU-64' }), gpu({ index: 2, uuid: 'u'.repeat(129) })],
      gpuStatus: [{ tsUnixMs: 1, gpuIndex: 70000, gpuUuid: 'x', status: 'lost', detail: '', xid: undefined }],
    });
    expect(validateRequest(r).map((x) => `${x.field}/${x.reason}`)).toEqual([
      'gpu_samples.index/out_of_range',
      'gpu_samples.uuid/too_long',
      'gpu_status.gpu_index/out_of_range',
    ]);
    expect(r.gpuSamples.map((g) => g.index)).toEqual([63]);
    expect(r.gpuStatus).toEqual([]);
    const wide = req({ gpuSamples: Array.from({ length: 66 }, (_, i) => gpu({ index: i % 64, uuid: `GPU-${i}` })) });
    expect(validateRequest(wide)).toEqual([
      { field: 'gpu_samples.gpus', reason: 'over_limit' },
      { field: 'gpu_samples.gpus', reason: 'over_limit' },
    ]);
    expect(wide.gpuSamples.length).toBe(64);
  });

  it('checks every numeric field of an event body, including ones it has no rule for by name (by suffix, else 0..1e9)', () => {
    const r = req({
      events: [
        e({ durationS: 2_592_000, images: 100_000, steps: -1, queuedToImageS: Number.NaN }),
        e({ startupS: -1e9, startToReadyS: 2_592_001 }, 'runtimeReady'),
        e({ loadedMb: 16 * 1024 * 1024 + 1, durationS: 0 }, 'modelLoad'),
      ],
    });
    const out = validateRequest(r).map((x) => `${x.field}/${x.reason}`);
    expect(out).toEqual([
      'runtime_events.steps/out_of_range',
      'runtime_events.queued_to_image_s/not_finite',
      'runtime_events.startup_s/out_of_range',
      'runtime_events.start_to_ready_s/out_of_range',
      'runtime_events.loaded_mb/out_of_range',
    ]);
    const jobEnd = r.events[0]?.body?.value as Record<string, unknown>;
    expect([jobEnd.durationS, jobEnd.images, jobEnd.steps]).toEqual([2_592_000, 100_000, undefined]);
  });

  it('drops impossible volumes and cuts lists at the per-host limits', () => {
    const r = req({
      hostSamples: [
        {
          ...HostSample.fromPartial({}),
          tsUnixMs: 1,
          cpuRatio: 2,
          volumes: [
            { mount: '/', role: 'root', sizeBytes: 100, freeBytes: 50 },
            { mount: '/x', role: 'data', sizeBytes: 100, freeBytes: 101 },
          ],
        },
      ],
      host: {
        hostname: 'h',
        driverVersion: '',
        cudaVersion: '',
        agentVersion: '',
        labels: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v'])),
      },
    });
    expect(validateRequest(r).map((x) => `${x.field}/${x.reason}`)).toEqual([
      'host_samples.cpu_ratio/out_of_range',
      'host_samples.volume/out_of_range',
      'hosts.labels/over_limit',
    ]);
    expect(r.hostSamples[0]?.volumes.map((v) => v.mount)).toEqual(['/']);
    expect(Object.keys(r.host?.labels ?? {}).length).toBe(64);
  });
});
