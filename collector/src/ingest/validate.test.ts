import { ExportRequest, GpuSample, HostIdentity, HostSample, RuntimeEvent } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../config.js';
import { validateRequest, type HostLimits } from './validate.js';

/** The per-host limits as the collector's config gives them by default. */
function defaultLimits(): HostLimits {
  const r = parseCollectorConfig({});
  if (!r.ok) throw new Error(r.issues.join('; '));
  return {
    maxGpus: r.config.COLLECTOR_MAX_GPUS_PER_HOST,
    processesPerGpu: r.config.COLLECTOR_MAX_PROCESSES_PER_GPU,
    extensionsPerStart: r.config.COLLECTOR_MAX_EXTENSIONS_PER_START,
  };
}
const LIMITS = defaultLimits();

const proc = (pid: number) => ({ pid, name: `p${pid}`, usedMemoryBytes: 1, runtime: '' });
/** A runtime start with `n` extensions. */
const start = (n: number): RuntimeEvent => e({ version: '1', extensions: Array.from({ length: n }, (_, i) => `ext-${i}`) }, 'runtimeStart');

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
    const out = validateRequest(r, LIMITS);
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
    expect(validateRequest(r, LIMITS).map((x) => `${x.field}/${x.reason}`)).toEqual([
      'gpu_samples.index/out_of_range',
      'gpu_samples.uuid/too_long',
      'gpu_status.gpu_index/out_of_range',
    ]);
    expect(r.gpuSamples.map((g) => g.index)).toEqual([63]);
    expect(r.gpuStatus).toEqual([]);
    const wide = req({ gpuSamples: Array.from({ length: 66 }, (_, i) => gpu({ index: i % 64, uuid: `GPU-${i}` })) });
    expect(validateRequest(wide, LIMITS)).toEqual([
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
    const out = validateRequest(r, LIMITS).map((x) => `${x.field}/${x.reason}`);
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
    expect(validateRequest(r, LIMITS).map((x) => `${x.field}/${x.reason}`)).toEqual([
      'host_samples.cpu_ratio/out_of_range',
      'host_samples.volume/out_of_range',
      'hosts.labels/over_limit',
    ]);
    expect(r.hostSamples[0]?.volumes.map((v) => v.mount)).toEqual(['/']);
    expect(Object.keys(r.host?.labels ?? {}).length).toBe(64);
  });

  it('defaults to 64 GPUs per host, 256 processes per GPU and 500 extensions per start (collector config)', () => {
    expect(LIMITS).toEqual({ maxGpus: 64, processesPerGpu: 256, extensionsPerStart: 500 });
  });

  it('applies the configured per-host limits at their boundary: N kept, N+1 dropped and counted', () => {
    const limits: HostLimits = { maxGpus: 3, processesPerGpu: 2, extensionsPerStart: 4 };
    const atLimit = req({
      gpuSamples: [0, 1, 2].map((i) => gpu({ index: i, uuid: `GPU-${i}`, processes: [proc(1), proc(2)] })),
      events: [start(4), { ...e({ durationS: 1 }), gpuIndex: 2 }],
      gpuStatus: [{ tsUnixMs: 1, gpuIndex: 2, gpuUuid: 'GPU-2', status: 'lost', detail: '', xid: undefined }],
    });
    expect(validateRequest(atLimit, limits)).toEqual([]);
    const over = req({
      gpuSamples: [0, 1, 2, 2].map((i, k) => gpu({ index: i, uuid: `GPU-${k}`, processes: [proc(1), proc(2), proc(3)] })),
      events: [start(5), { ...e({ durationS: 1 }), gpuIndex: 3 }],
      gpuStatus: [{ tsUnixMs: 1, gpuIndex: 3, gpuUuid: 'GPU-3', status: 'lost', detail: '', xid: undefined }],
    });
    over.gpuSamples.push(gpu({ index: 3, uuid: 'GPU-index-3' }));
    expect(validateRequest(over, limits).map((x) => `${x.field}/${x.reason}`)).toEqual([
      'gpu_samples.processes/over_limit',
      'gpu_samples.processes/over_limit',
      'gpu_samples.processes/over_limit',
      'gpu_samples.gpus/over_limit',
      'gpu_samples.index/out_of_range',
      'runtime_events.extensions/over_limit',
      'runtime_events.gpu_index/out_of_range',
      'gpu_status.gpu_index/out_of_range',
    ]);
    expect(over.gpuSamples.map((g) => [g.uuid, g.processes.map((p) => p.pid)])).toEqual([
      ['GPU-0', [1, 2]],
      ['GPU-1', [1, 2]],
      ['GPU-2', [1, 2]],
    ]);
    expect(over.events[0]?.body?.value).toMatchObject({ extensions: ['ext-0', 'ext-1', 'ext-2', 'ext-3'] });
    expect(over.events[1]?.gpuIndex).toBeUndefined();
    expect(over.gpuStatus).toEqual([]);
  });
});
