// Ingest columns of the signals of migration 0021 (docs/signals.md): labels as 1/0/NULL with their
// rule, TTFI and download columns; a label or download source outside the vocabulary is refused.
import type { RuntimeEvent } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { eventColumns } from './event-columns.js';

const ev = (body: RuntimeEvent['body'], kind = ''): RuntimeEvent => ({ tsUnixMs: 1, kind, runtime: 'comfyui', body });

describe('eventColumns: cold/warm, first image, downloads', () => {
  it('first_image: durations, job id, cold = 1 with its rule', () => {
    const r = eventColumns(
      ev({
        $case: 'firstImage',
        value: {
          jobId: 'p1',
          startToFirstImageS: 100,
          startToReadyS: 60,
          readyToFirstImageS: 40,
          queuedToImageS: 32,
          cold: 'cold',
          coldRule: 'model_downloaded',
        },
      }),
      0,
    );
    expect(r).toMatchObject({
      kind: 'first_image',
      job_id: 'p1',
      start_to_first_image_s: 100,
      start_to_ready_s: 60,
      ready_to_first_image_s: 40,
      queued_to_image_s: 32,
      cold: 1,
      cold_rule: 'model_downloaded',
    });
  });

  it('runtime_ready and job_end: warm → 0, unknown or absent → NULL', () => {
    expect(eventColumns(ev({ $case: 'runtimeReady', value: { startToReadyS: 11, cold: 'warm', coldRule: 'all_loads_cached' } }), 0)).toMatchObject({
      start_to_ready_s: 11,
      cold: 0,
      cold_rule: 'all_loads_cached',
    });
    expect(eventColumns(ev({ $case: 'jobEnd', value: { jobId: 'j', cold: 'unknown', coldRule: 'no_load_seen', queuedToImageS: 4 } }), 0)).toMatchObject({
      cold: null,
      cold_rule: 'no_load_seen',
      queued_to_image_s: 4,
    });
    expect(eventColumns(ev({ $case: 'jobStart', value: { jobId: 'j', queueWaitS: 2.5 } }), 0)).toMatchObject({ queue_wait_s: 2.5 });
    expect(eventColumns(ev({ $case: 'runtimeReady', value: {} }), 0)).toMatchObject({ cold: null, cold_rule: '' });
  });

  it('model_download: bytes, seconds, bytes/s and source; model_load path and the new sources', () => {
    expect(
      eventColumns(
        ev({ $case: 'modelDownload', value: { model: 'a.safetensors', bytes: 41943040, durationS: 4.9, bytesPerS: 8559804, source: 'civitai' } }),
        0,
      ),
    ).toMatchObject({ kind: 'model_download', model: 'a.safetensors', bytes: 41943040, duration_s: 4.9, bytes_per_s: 8559804, source: 'civitai' });
    expect(eventColumns(ev({ $case: 'modelLoad', value: { source: 'network', path: '/data/models/x.safetensors' } }), 0)).toMatchObject({
      source: 'network',
      path: '/data/models/x.safetensors',
    });
  });

  it('refuses a label or a source outside the vocabulary, and a kind that does not match the body', () => {
    expect(() => eventColumns(ev({ $case: 'firstImage', value: { cold: 'lukewarm' } }), 3)).toThrow(/first_image.cold must be one of cold\|warm\|unknown/);
    expect(() => eventColumns(ev({ $case: 'modelDownload', value: { source: 'ftp' } }), 0)).toThrow(/model_download.source must be one of hf\|civitai\|url/);
    expect(() => eventColumns(ev({ $case: 'modelDownload', value: {} }, 'first_image'), 0)).toThrow(/does not match its body/);
  });
});
