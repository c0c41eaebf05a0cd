// The daemon's path: createAgent takes runtime events from its sources and host readings from its
// host source and sends runtime_ready / job_end / first_image labelled by the evidence — the same
// events in a host that has been up for a minute or for a year give the same labels (no uptime).
import type { ExportRequest } from '@renderwatch/proto';
import type { RuntimeEvent } from '@renderwatch/schema';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAgent, type EventSource, type HostSource } from '../agent.js';
import { resolveAgentConfig } from '../config.js';
import type { HostSnapshotLike } from '../export/to-wire.js';

const T = Date.parse('2026-12-07T10:00:00Z');

async function run(diskReadBytesPerS: number): Promise<ExportRequest['events']> {
  const cfg = resolveAgentConfig({ AGENT_GPU_SOURCE: 'none', AGENT_SAMPLE_INTERVAL_MS: '10000', AGENT_FLUSH_INTERVAL_MS: '3600000' });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  let clock = T;
  let emit: ((e: RuntimeEvent, ms: number) => void) | undefined;
  const source: EventSource = {
    start: (f) => {
      emit = f;
    },
    stop: () => undefined,
  };
  // host readings every 10 s; during (40, 50] the disks read `diskReadBytesPerS`
  const host: HostSource = {
    sample: async (): Promise<HostSnapshotLike> => ({
      ts_unix_ms: clock,
      disk_read_bytes_per_s: clock > T + 40_000 && clock <= T + 50_000 ? diskReadBytesPerS : 1e6,
      net_rx_bytes_per_s: 1e6,
    }),
  };
  const sent: ExportRequest[] = [];
  const agent = createAgent(cfg.config, {
    log: pino({ level: 'silent' }),
    gpuSampler: undefined,
    hostSource: host,
    eventSources: [source],
    now: () => clock,
    deliver: (r) => sent.push(r),
  });
  await agent.start({ sampling: false });
  const at = async (sec: number, e?: RuntimeEvent): Promise<void> => {
    clock = T + sec * 1000;
    if (e !== undefined) emit?.(e, clock);
    else await agent.tick();
  };
  await at(0);
  await at(1, { kind: 'runtime_start', runtime: 'comfyui' });
  for (const s of [10, 20, 30, 40]) await at(s);
  await at(42, { kind: 'runtime_ready', runtime: 'comfyui' });
  await at(43, { kind: 'job_start', runtime: 'comfyui', job_id: 'j' });
  // 1639 MiB in 0.8 s (2 GiB/s: speed alone says nothing) ending at 45 s
  await at(45, { kind: 'model_load', runtime: 'comfyui', model: 'BaseModel', source: 'disk', loaded_mb: 1639, duration_s: 0.8 });
  await at(47, { kind: 'job_end', runtime: 'comfyui', job_id: 'j', outcome: 'ok', images: 1 });
  await at(50);
  await agent.stop();
  return sent.flatMap((r) => r.events);
}

describe('createAgent labels starts from evidence', () => {
  it('disk reads during the load (2.5 GB/s x 0.8 s >= half of 1639 MiB) → cold first image; quiet disks → warm', async () => {
    for (const [rate, cold, rule] of [
      [2.5e9, 'cold', 'load_from_disk'],
      [50e6, 'warm', 'all_loads_cached'],
    ] as const) {
      const evs = await run(rate);
      const first = evs.find((e) => e.body?.$case === 'firstImage');
      expect(first?.body).toEqual({
        $case: 'firstImage',
        value: { jobId: 'j', startToFirstImageS: 46, startToReadyS: 41, readyToFirstImageS: 5, queuedToImageS: 4, cold, coldRule: rule },
      });
      const ready = evs.find((e) => e.body?.$case === 'runtimeReady');
      expect(ready?.body).toEqual({ $case: 'runtimeReady', value: { startToReadyS: 41, cold: 'unknown', coldRule: 'no_load_seen' } });
      // no uptime-based flag on the start any more
      expect(evs.find((e) => e.body?.$case === 'runtimeStart')?.body).toEqual({ $case: 'runtimeStart', value: { extensions: [] } });
    }
  });
});
