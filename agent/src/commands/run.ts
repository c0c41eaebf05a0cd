// `renderwatch-agent run`: the daemon. Builds the sources named by the config (GPU, host, runtime
// logs), the telemetry sinks (/metrics, OTLP) and the delivery pipeline (disk spool → retrying
// sender → gRPC), then runs until SIGTERM/SIGINT.
import pino from 'pino';
import { AGENT_VERSION, createAgent } from '../agent.js';
import { loadAgentConfig, parsePairs } from '../config.js';
import { createDelivery } from '../export/delivery.js';
import type { SendOutcome } from '../export/retrying-sender.js';
import { startTelemetrySinks } from '../metrics/telemetry-sinks.js';
import { buildComfyuiApiSources } from '../runtime-api/comfyui-api-sources.js';
import { createHostSampler } from '../sampling/host.js';
import { buildGpuSampler, volumePaths } from '../sources/gpu-source.js';
import { buildLogSources } from '../sources/log-sources.js';
import type { Command } from './command.js';
import { wantsHelp } from './command.js';
import { parseArgs } from './flags.js';

const USAGE = `usage: renderwatch-agent run [--collector-address host:port] [--gpu-source auto|nvml|nvidia-smi|replay|none]
                            [--replay-files a.xml,b.csv] [--runtime-logs comfyui:/path/comfyui.log]
                            [--comfyui-urls http://127.0.0.1:8188] [--volumes model:/models,output:/outputs]
                            [--state-dir DIR] [--token T] ...

Runs the agent daemon: samples GPUs and the host every interval, follows runtime logs,
watches ComfyUI APIs (AGENT_COMFYUI_URLS), spools batches on disk and sends them to the collector
over gRPC; serves Prometheus /metrics on AGENT_METRICS_PORT (9477) and exports OTLP when
AGENT_OTLP_ENDPOINT is set.
Every option is also an environment variable: --collector-address is AGENT_COLLECTOR_ADDRESS,
--sample-interval-ms is AGENT_SAMPLE_INTERVAL_MS, and so on (docs/config.md). Flags win.
`;

function toSendStatus(o: SendOutcome): 'ok' | 'retryable' | 'failed' | undefined {
  if (o === 'ok' || o === 'duplicate') return 'ok';
  if (o === 'retry') return 'retryable';
  if (o === 'refused' || o === 'invalid') return 'failed';
  return undefined;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent daemon (sample, follow logs, send to the collector)',
  usage: USAGE,
  async run(argv, io) {
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    const { flags } = parseArgs(argv);
    const parsed = loadAgentConfig(flags);
    if (!parsed.ok) {
      io.err(`renderwatch-agent run: invalid configuration:\n${parsed.issues.map((i) => `  - ${i}`).join('\n')}\n\n${USAGE}`);
      return 2;
    }
    const cfg = parsed.config;
    const log = pino({ level: cfg.AGENT_LOG_LEVEL, redact: ['token', 'AGENT_TOKEN', 'AGENT_OTLP_HEADERS', 'headers.authorization'] });
    const sinks = await startTelemetrySinks(cfg, log, AGENT_VERSION);
    const counter = { inc: (source: string) => sinks.metrics.observeSampleError(source) };
    const gpu = await buildGpuSampler(cfg, log, counter);
    if (!gpu.ok) {
      io.err(`renderwatch-agent run: ${gpu.message}\n`);
      await sinks.stop();
      return 1;
    }
    const logs = buildLogSources(cfg.AGENT_RUNTIME_LOGS, cfg.AGENT_STATE_DIR, log);
    if (!logs.ok) {
      io.err(`renderwatch-agent run: ${logs.message}\n`);
      await sinks.stop();
      return 2;
    }
    const comfyApis = buildComfyuiApiSources(cfg, log, counter);
    let delivery: ReturnType<typeof createDelivery>;
    try {
      delivery = createDelivery(cfg, log, {
        onOutcome: (o) => {
          const s = toSendStatus(o);
          if (s !== undefined) sinks.metrics.observeSend(s, 0);
        },
      });
    } catch (err: unknown) {
      io.err(
        `renderwatch-agent run: cannot open the spool under ${cfg.AGENT_STATE_DIR} (${err instanceof Error ? err.message : String(err)}); set AGENT_STATE_DIR to a writable directory\n`,
      );
      await sinks.stop();
      return 1;
    }
    const host = createHostSampler({ volumes: volumePaths(parsePairs(cfg.AGENT_VOLUMES)), log, counter, intervalMs: cfg.AGENT_SAMPLE_INTERVAL_MS });
    const agent = createAgent(cfg, {
      log,
      gpuSampler: gpu.sampler,
      hostSource: host,
      eventSources: [...logs.sources, ...comfyApis],
      observers: sinks.observers,
      firstSeq: delivery.firstSeq,
      deliver: (req) => {
        delivery.deliver(req);
        sinks.metrics.setQueuedBatches(delivery.stats().batches);
      },
    });
    await agent.start();
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        void agent
          .stop()
          .then(() => delivery.drain(3000))
          .then(async () => {
            delivery.close();
            await sinks.stop();
            resolve();
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
