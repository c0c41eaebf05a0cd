// One sampling tick = one spool frame: the GPU and host rows of a tick are encoded and written
// together (agent.ts takeSample → batcher.addSample), and GPU rows taken before a failure still are.
import { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAgent, type AgentObserver, type HostSource } from './agent.js';
import { resolveAgentConfig } from './config.js';
import type { Spool } from './export/spool.js';
import type { GpuSampler, GpuSnapshot } from './sampling/sampler.js';

const gpu = (index: number): GpuSnapshot => ({ ts_unix_ms: 7_000, index, uuid: `GPU-tick-${index}`, memory_used_bytes: 2 ** 33 + index });

/** A journal that records each frame's rows; nothing is cut in these tests. */
function journal(): { frames: { samples: number; events: number; req: ExportRequest }[]; spool: Spool } {
  const frames: { samples: number; events: number; req: ExportRequest }[] = [];
  const j = {
    nextSeq: 1,
    openRows: 0,
    appendRows(rows: Uint8Array, samples: number, events: number) {
      frames.push({ samples, events, req: ExportRequest.decode(rows) });
    },
    cut: () => false,
  };
  return { frames, spool: j as unknown as Spool };
}

async function oneTick(host: HostSource, observers: AgentObserver[] = []): Promise<ReturnType<typeof journal>['frames']> {
  const cfg = resolveAgentConfig({ AGENT_GPU_SOURCE: 'none', AGENT_SAMPLE_INTERVAL_MS: '3600000', AGENT_FLUSH_INTERVAL_MS: '3600000' });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const sampler: GpuSampler = { source: 'simulated', sample: () => Promise.resolve({ gpus: [gpu(0), gpu(1)], status: [] }), close: () => Promise.resolve() };
  const j = journal();
  const agent = createAgent(cfg.config, {
    log: pino({ level: 'silent' }),
    gpuSampler: sampler,
    hostSource: host,
    observers,
    journal: j.spool,
    now: () => 7_000,
  });
  await agent.start({ sampling: false });
  await agent.tick();
  await agent.stop();
  return j.frames;
}

describe('a sampling tick in the spool', () => {
  it('writes the GPU and host rows of a tick as one frame', async () => {
    const frames = await oneTick({ sample: () => Promise.resolve({ ts_unix_ms: 7_000, cpu_ratio: 0.25, volumes: [] }) });
    expect(frames.map((f) => [f.samples, f.events])).toEqual([[3, 0]]);
    expect(frames[0]?.req.gpuSamples.map((g) => [g.uuid, g.memoryUsedBytes])).toEqual([
      ['GPU-tick-0', 2 ** 33],
      ['GPU-tick-1', 2 ** 33 + 1],
    ]);
    expect(frames[0]?.req.hostSamples.map((h) => h.cpuRatio)).toEqual([0.25]);
  });

  it('writes the GPU rows when the host sample fails', async () => {
    const frames = await oneTick({ sample: () => Promise.reject(new Error('no /proc')) });
    expect(frames.map((f) => [f.samples, f.req.gpuSamples.length, f.req.hostSamples.length])).toEqual([[2, 2, 0]]);
  });

  it('writes the GPU rows when an observer throws on them (the host is not read then, as before)', async () => {
    let hostReads = 0;
    const frames = await oneTick(
      {
        sample: () => {
          hostReads++;
          return Promise.resolve({ ts_unix_ms: 7_000, volumes: [] });
        },
      },
      [
        {
          observeGpus: () => {
            throw new Error('observer bug');
          },
        },
      ],
    );
    expect(frames.map((f) => [f.samples, f.req.gpuSamples.length])).toEqual([[2, 2]]);
    expect(hostReads).toBe(0);
  });
});
