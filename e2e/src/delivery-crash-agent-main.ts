// A crash-test agent as a process of its own, built by createAgentPipeline exactly as the daemon is
// (disk spool journal, retrying sender, gRPC client, a real ComfyUI log follower), with a
// deterministic GPU sampler that records every sample it takes (`<taken file>`: one line per
// sample time, 8 GPUs each) before handing it to the agent. Options as JSON in argv[2]. Exits 0
// after SIGTERM once everything is acked (or 1 when the drain times out).
import { appendFileSync } from 'node:fs';
import { createAgentPipeline, resolveAgentConfig, type GpuSampler } from '@renderwatch/agent';
import { buildLogSources } from '@renderwatch/agent/harness';
import pino from 'pino';

interface Args {
  hostname: string;
  address: string;
  stateDir: string;
  logPath: string;
  takenFile: string;
  intervalMs: number;
  flushMs: number;
  /** false: one Export call per batch (AGENT_EXPORT_STREAM=off) instead of the ExportStream. */
  stream?: boolean;
}

const a = JSON.parse(process.argv[2] ?? '{}') as Args;
const log = pino({ level: 'silent' });
const r = resolveAgentConfig(
  {
    AGENT_COLLECTOR_ADDRESS: a.address,
    AGENT_HOSTNAME: a.hostname,
    AGENT_STATE_DIR: a.stateDir,
    AGENT_RUNTIME_LOGS: `comfyui:${a.logPath}`,
    AGENT_SAMPLE_INTERVAL_MS: String(a.intervalMs),
    AGENT_FLUSH_INTERVAL_MS: String(a.flushMs),
    AGENT_EXPORT_DEADLINE_MS: '3000',
    AGENT_EXPORT_STREAM: a.stream === false ? 'off' : 'on',
  },
  {},
);
if (!r.ok) throw new Error(r.issues.join('; '));
let last = 0;
const sampler: GpuSampler = {
  source: 'simulated',
  sample() {
    // A distinct millisecond per sample, recorded as taken before the agent sees it.
    const ts = Math.max(Date.now(), last + 1);
    last = ts;
    appendFileSync(a.takenFile, `${ts}\n`);
    const gpus = Array.from({ length: 8 }, (_, i) => ({
      ts_unix_ms: ts,
      index: i,
      uuid: `GPU-${a.hostname}-${i}`,
      name: 'NVIDIA L40S',
      utilization_gpu_ratio: 0.5,
      memory_used_bytes: 1024 ** 3,
      memory_total_bytes: 48 * 1024 ** 3,
      temperature_celsius: 60,
      power_draw_watts: 250,
    }));
    return Promise.resolve({ gpus, status: [] });
  },
  close: () => Promise.resolve(),
};
const logs = buildLogSources(r.config.AGENT_RUNTIME_LOGS, a.stateDir, log);
const pipeline = createAgentPipeline(r.config, { log, gpuSampler: sampler, eventSources: logs, backoff: { initialMs: 100, maxMs: 1000 } });
await pipeline.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void pipeline.stop(30_000).then((drained) => {
    process.stdout.write(drained ? 'drained\n' : 'not drained\n');
    process.exitCode = drained ? 0 : 1;
  });
});
