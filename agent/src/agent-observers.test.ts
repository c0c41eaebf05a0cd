// Every observer (Prometheus /metrics, OTLP) sees every GPU reading, status change, host reading and
// runtime event the agent takes, in order; a sample_error status also counts against its source.
import pino from 'pino';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { createAgent, type AgentObserver } from './agent.js';
import { resolveAgentConfig } from './config.js';
import type { GpuSampler, GpuSnapshot, GpuStatusChange } from './sampling/sampler.js';

const gpu = (index: number): GpuSnapshot => ({ ts_unix_ms: 5_000, index, uuid: `GPU-obs-${index}`, name: 'NVIDIA L40S' });
const status = (s: GpuStatusChange['status'], index: number): GpuStatusChange => ({
  ts_unix_ms: 5_000,
  gpu_index: index,
  gpu_uuid: `GPU-obs-${index}`,
  status: s,
  detail: s,
});

function recorder(): { seen: string[]; observer: AgentObserver } {
  const seen: string[] = [];
  return {
    seen,
    observer: {
      observeGpus: (g) => seen.push(`gpus ${g.map((x) => x.index).join(',')}`),
      observeStatus: (s) => seen.push(`status ${s.status} ${s.gpu_index}`),
      observeHost: (h) => seen.push(`host ${h.ts_unix_ms}`),
      observeEvent: (e) => seen.push(`event ${e.kind}`),
      observeSampleError: (src) => seen.push(`sample_error ${src}`),
    },
  };
}

describe('agent observers', () => {
  it('each of two observers sees the readings, statuses (sample errors by source), host and events of a tick, in order', async () => {
    const cfg = resolveAgentConfig({ AGENT_GPU_SOURCE: 'none', AGENT_SAMPLE_INTERVAL_MS: '3600000', AGENT_FLUSH_INTERVAL_MS: '3600000' });
    if (!cfg.ok) throw new Error(cfg.issues.join('; '));
    const sampler: GpuSampler = {
      source: 'simulated',
      sample: () => Promise.resolve({ gpus: [gpu(0), gpu(1)], status: [status('sample_error', 1), status('lost', 0)] }),
      close: () => Promise.resolve(),
    };
    let emit: ((e: RuntimeEvent, at: number) => void) | undefined;
    const a = recorder();
    const b = recorder();
    const agent = createAgent(cfg.config, {
      log: pino({ level: 'silent' }),
      gpuSampler: sampler,
      hostSource: { sample: () => Promise.resolve({ ts_unix_ms: 5_000, volumes: [] }) },
      eventSources: [{ start: (e) => void (emit = e), stop: () => undefined }],
      observers: [a.observer, b.observer],
      deliver: () => undefined,
      now: () => 5_000,
    });
    await agent.start({ sampling: false });
    await agent.tick();
    emit?.({ kind: 'oom', runtime: 'comfyui' }, 5_100);
    await agent.stop();
    const expected = ['gpus 0,1', 'status sample_error 1', 'sample_error simulated', 'status lost 0', 'host 5000', 'event oom'];
    expect(a.seen).toEqual(expected);
    expect(b.seen).toEqual(expected);
  });
});
