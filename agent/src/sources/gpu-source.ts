// Picks the GPU source named by the config. `auto` prefers NVML (no subprocess per sample), then a
// long-running nvidia-smi, and says clearly when neither is available.
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { createReplaySampler } from '../sampling/replay.js';
import type { GpuSampler } from '../sampling/sampler.js';

export type GpuSourceResult = { ok: true; sampler: GpuSampler | undefined } | { ok: false; message: string };

export async function buildGpuSampler(cfg: AgentConfig, log: Logger): Promise<GpuSourceResult> {
  const replay = cfg.AGENT_REPLAY_FILES.split(',').map((s) => s.trim()).filter((s) => s !== '');
  switch (cfg.AGENT_GPU_SOURCE) {
    case 'none':
      return { ok: true, sampler: undefined };
    case 'replay':
    case 'auto':
      if (replay.length === 0) {
        return { ok: false, message: 'no GPU source: set AGENT_GPU_SOURCE=replay with AGENT_REPLAY_FILES=<recorded nvidia-smi outputs>, or run on a host with an NVIDIA driver' };
      }
      try {
        return { ok: true, sampler: createReplaySampler({ paths: replay, log }) };
      } catch (err: unknown) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    case 'nvml':
    case 'nvidia-smi':
      return { ok: false, message: `GPU source ${cfg.AGENT_GPU_SOURCE} is not available in this build yet` };
    default: {
      const never: never = cfg.AGENT_GPU_SOURCE;
      return { ok: false, message: `unknown GPU source ${String(never)}` };
    }
  }
}
