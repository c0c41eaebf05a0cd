// Graceful stop keeps the sample being read: a GPU reading that completes after stop() was called
// is in the last batch, not written after the final cut (or lost when the spool closes).
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAgent } from './agent.js';
import { resolveAgentConfig } from './config.js';
import type { GpuSampler, GpuSnapshot } from './sampling/sampler.js';

const gpu = (ts: number): GpuSnapshot => ({ ts_unix_ms: ts, index: 0, uuid: 'GPU-stop-0', name: 'NVIDIA L40S' });

describe('agent stop', () => {
  it('waits for the sample in progress and sends it in the last batch', async () => {
    const cfg = resolveAgentConfig({ AGENT_GPU_SOURCE: 'none', AGENT_SAMPLE_INTERVAL_MS: '3600000', AGENT_FLUSH_INTERVAL_MS: '3600000' });
    if (!cfg.ok) throw new Error(cfg.issues.join('; '));
    let release: (() => void) | undefined;
    let reads = 0;
    const sampler: GpuSampler = {
      source: 'simulated',
      sample: () => {
        reads++;
        const ts = 1_000 * reads;
        // the first reading (at start) answers at once; the second one only when released
        if (reads === 1) return Promise.resolve({ gpus: [gpu(ts)], status: [] });
        return new Promise((resolve) => {
          release = () => resolve({ gpus: [gpu(ts)], status: [] });
        });
      },
      close: () => Promise.resolve(),
    };
    const sent: ExportRequest[] = [];
    const agent = createAgent(cfg.config, { log: pino({ level: 'silent' }), gpuSampler: sampler, deliver: (r) => sent.push(r) });
    await agent.start();
    const inProgress = agent.tick();
    const stopped = agent.stop();
    await Promise.resolve();
    release?.();
    await Promise.all([inProgress, stopped]);
    expect(sent.flatMap((r) => r.gpuSamples.map((g) => Number(g.tsUnixMs)))).toEqual([1000, 2000]);
  });
});
