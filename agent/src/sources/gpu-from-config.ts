// Picks the GPU source named by the config: `auto` prefers NVML (no subprocess per sample), then a
// long-running nvidia-smi; `replay` plays recorded nvidia-smi output (no GPU needed). The reason a
// source cannot be opened comes back as a readable message.
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import type { SampleErrorCounter } from '../sampling/failure-reporter.js';
import { openGpuSampler } from '../sampling/gpu-source.js';
import type { GpuSampler } from '../sampling/sampler.js';

/**
 * The daemon's NVML XID wait. An XID is reported as soon as NVML has it, however long the wait;
 * the wait's length only sets how often an idle watcher wakes (each return is a koffi worker
 * hand-off and a main-thread callback, ~0.7 ms of CPU here) and how long stopping waits for the
 * wait in flight before the event set is freed. 2 s: a quarter of the wake-ups of 500 ms.
 */
export const DAEMON_XID_WAIT_MS = 2000;

export type GpuSourceResult = { ok: true; sampler: GpuSampler | undefined } | { ok: false; message: string };

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function buildGpuSampler(cfg: AgentConfig, log: Logger, counter?: SampleErrorCounter): Promise<GpuSourceResult> {
  const replay = cfg.AGENT_REPLAY_FILES;
  const source = cfg.AGENT_GPU_SOURCE;
  if (source === 'none') return { ok: true, sampler: undefined };
  if (source === 'replay' || (source === 'auto' && replay.length > 0)) {
    if (replay.length === 0) return { ok: false, message: 'AGENT_GPU_SOURCE=replay needs AGENT_REPLAY_FILES (recorded nvidia-smi outputs, comma-separated)' };
    try {
      // imported here: the replay source brings the nvidia-smi output parsers (XML parser included)
      const { createReplaySampler } = await import('../sampling/replay.js');
      return { ok: true, sampler: createReplaySampler({ paths: replay, log }) };
    } catch (err: unknown) {
      return { ok: false, message: describe(err) };
    }
  }
  try {
    const sampler = await openGpuSampler({
      source,
      ...(cfg.AGENT_NVML_LIB === '' ? {} : { nvmlLib: cfg.AGENT_NVML_LIB }),
      smiPath: cfg.AGENT_NVIDIA_SMI_PATH,
      intervalMs: cfg.AGENT_SAMPLE_INTERVAL_MS,
      xidWaitMs: DAEMON_XID_WAIT_MS,
      log,
      ...(counter === undefined ? {} : { counter }),
    });
    return { ok: true, sampler };
  } catch (err: unknown) {
    return {
      ok: false,
      message: `no GPU source could be opened (${describe(err)}). On a GPU host install the NVIDIA driver; elsewhere use AGENT_GPU_SOURCE=replay with AGENT_REPLAY_FILES, or AGENT_GPU_SOURCE=none`,
    };
  }
}
