// Picks the GPU source: NVML when its library loads and initialises, else the nvidia-smi
// fallback (`auto`), or exactly the one asked for. The reason for a fallback is logged once.
import type { Logger } from 'pino';
import type { SampleErrorCounter } from './failure-reporter.js';
import type { NvidiaSmiSamplerOptions } from './nvidia-smi.js';
import { createNvmlSampler, isNvmlUnavailable } from './nvml.js';
import type { GpuSampler } from './sampler.js';

export type GpuSourceChoice = 'auto' | 'nvml' | 'nvidia-smi';

export interface OpenGpuSamplerOptions {
  source?: GpuSourceChoice;
  nvmlLib?: string;
  smiPath?: string;
  intervalMs?: number;
  log?: Logger;
  counter?: SampleErrorCounter;
  /** Passed to the nvidia-smi sampler (timeouts, compute apps). */
  smi?: Omit<NvidiaSmiSamplerOptions, 'smiPath' | 'intervalMs' | 'log' | 'counter'>;
  /** Watch NVML XID events (default true). */
  watchXid?: boolean;
  /** How long each NVML XID wait blocks a koffi worker (nvml.ts default 500 ms; the daemon's: gpu-from-config.ts). */
  xidWaitMs?: number;
}

/** Opens a sampler; throws the typed error of the last source tried when none works. */
export async function openGpuSampler(opts: OpenGpuSamplerOptions = {}): Promise<GpuSampler> {
  const source = opts.source ?? 'auto';
  const common = {
    ...(opts.log === undefined ? {} : { log: opts.log }),
    ...(opts.counter === undefined ? {} : { counter: opts.counter }),
    ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
  };
  if (source !== 'nvidia-smi') {
    try {
      return createNvmlSampler({
        ...common,
        ...(opts.nvmlLib === undefined ? {} : { libPath: opts.nvmlLib }),
        ...(opts.watchXid === undefined ? {} : { watchXid: opts.watchXid }),
        ...(opts.xidWaitMs === undefined ? {} : { xidWaitMs: opts.xidWaitMs }),
      });
    } catch (err: unknown) {
      if (source === 'nvml' || !isNvmlUnavailable(err)) throw err;
      opts.log?.warn({ err, module: 'sampling' }, 'nvml unavailable, falling back to nvidia-smi');
    }
  }
  // imported here: an agent sampling through NVML never loads the nvidia-smi sampler and its parsers
  const { createNvidiaSmiSampler } = await import('./nvidia-smi.js');
  return createNvidiaSmiSampler({ ...opts.smi, ...common, ...(opts.smiPath === undefined ? {} : { smiPath: opts.smiPath }) });
}
