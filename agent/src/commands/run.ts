// `renderwatch-agent run`: the daemon. Builds the sources named by the config (GPU, host, runtime
// logs), the telemetry sinks (/metrics, OTLP) and the delivery pipeline (disk spool → retrying
// sender → gRPC), then runs until SIGTERM/SIGINT.
import pino from 'pino';
import { AGENT_VERSION } from '../agent.js';
import { loadAgentConfig, type AgentConfig } from '../config.js';
import type { SendOutcome, SendResult } from '../export/send-result.js';
import type { ParseErrorSource } from '../metrics/parse-error-metrics.js';
import { startTelemetrySinks } from '../metrics/telemetry-sinks.js';
import { createAgentPipeline, type AgentPipeline } from '../pipeline.js';
import { createHostSampler } from '../sampling/host.js';
import { createRemoteVolumeLookup, type RemoteVolumeOptions } from '../signals/mounts.js';
import { buildGpuSampler } from '../sources/gpu-from-config.js';
import { pairComfyui } from '../sources/comfyui-pairing.js';
import { buildLogSources } from '../sources/log-sources.js';
import { buildA1111ApiSources } from '../runtime-api/a1111-api-source.js';
import { buildPreemptionSources } from '../sources/preemption.js';
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

/** The sender's outcome as the SendResult status /metrics counts sends by (export/send-result.ts). */
function toSendStatus(o: SendOutcome): SendResult['status'] | undefined {
  if (o === 'ok' || o === 'duplicate') return 'ok';
  if (o === 'retry') return 'retryable';
  if (o === 'refused' || o === 'invalid') return 'failed';
  return undefined;
}

/** Something opened during start-up, closed again (newest first) when a later step fails. */
type Cleanup = () => Promise<void> | void;

async function unwind(cleanups: Cleanup[]): Promise<void> {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * SIGTERM/SIGINT, listened for from the first step of start-up: a signal during start-up (systemd
 * stopping an agent that is still opening NVML or its spool) is kept and honoured once start-up is
 * done, instead of Node's default action killing the process with nothing flushed. A second
 * signal gets the default action.
 */
function listenForStop(): { readonly requested: string | undefined; next(): Promise<string>; dispose(): void } {
  let requested: string | undefined;
  let wake: ((signal: string) => void) | undefined;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const dispose = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const h = (): void => {
      dispose();
      requested ??= sig;
      wake?.(sig);
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  return {
    get requested() {
      return requested;
    },
    next: () =>
      requested !== undefined
        ? Promise.resolve(requested)
        : new Promise<string>((resolve) => {
            wake = resolve;
          }),
    dispose,
  };
}

/**
 * The cold/warm rule's "is this model on a remote filesystem" lookup (agent/src/signals/mounts.ts),
 * with the models directory of AGENT_VOLUMES (`model:` / `models:`) for loads that name no path.
 */
export function remoteVolumeLookup(
  volumes: AgentConfig['AGENT_VOLUMES'],
  readMounts?: RemoteVolumeOptions['readMounts'],
): (path: string | undefined) => boolean | undefined {
  return createRemoteVolumeLookup({ modelsPath: volumes.models, ...(readMounts === undefined ? {} : { readMounts }) });
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
    // Configuration that needs no resource is checked before anything is opened.
    // One source per fact for a ComfyUI watched by its log and its API (sources/comfyui-pairing.ts).
    const comfyui = pairComfyui(cfg.AGENT_RUNTIME_LOGS, cfg.AGENT_COMFYUI_URLS);
    if (comfyui.warning !== undefined) log.warn({ rule: comfyui.rule }, comfyui.warning);
    else if (comfyui.rule === 'single_instance')
      log.info({ log: comfyui.logPath, url: comfyui.url }, 'comfyui log and API paired: console events from the log, jobs from /history');
    const logs = buildLogSources(cfg.AGENT_RUNTIME_LOGS, cfg.AGENT_STATE_DIR, log, Date.now, comfyui.logPath);
    // Every start-up failure after this point releases what was opened (NVML, /metrics, OTLP, the
    // spool) and exits non-zero: systemd's Restart=on-failure must see it.
    const signals = listenForStop();
    const cleanups: Cleanup[] = [signals.dispose];
    const fail = async (message: string, code = 1): Promise<number> => {
      io.err(`renderwatch-agent run: ${message}\n`);
      await unwind(cleanups);
      return code;
    };
    // What /metrics counts refused and unreadable lines of: the log followers, and (added once
    // built) the ComfyUI APIs' console streams; read at each scrape.
    const counted: ParseErrorSource[] = [...logs];
    let sinks: Awaited<ReturnType<typeof startTelemetrySinks>>;
    try {
      sinks = await startTelemetrySinks(cfg, log, AGENT_VERSION, { logSources: counted });
    } catch (err: unknown) {
      return fail(`cannot serve /metrics on ${cfg.AGENT_METRICS_HOST}:${cfg.AGENT_METRICS_PORT} or start OTLP (${describe(err)})`);
    }
    cleanups.push(() => sinks.stop());
    const counter = { inc: (source: string) => sinks.metrics.observeSampleError(source) };
    const gpu = await buildGpuSampler(cfg, log, counter);
    if (!gpu.ok) return fail(gpu.message);
    cleanups.push(() => gpu.sampler?.close());
    let pipeline: AgentPipeline;
    try {
      // Only a configuration that names ComfyUI APIs loads their adapter.
      const comfyApis =
        cfg.AGENT_COMFYUI_URLS.length === 0
          ? []
          : (await import('../runtime-api/comfyui-api-sources.js')).buildComfyuiApiSources(cfg, log, counter, Date.now, comfyui.url);
      counted.push(...comfyApis);
      pipeline = createAgentPipeline(cfg, {
        log,
        gpuSampler: gpu.sampler,
        hostSource: createHostSampler({ volumes: cfg.AGENT_VOLUMES, log, counter, intervalMs: cfg.AGENT_SAMPLE_INTERVAL_MS }),
        remoteVolume: remoteVolumeLookup(cfg.AGENT_VOLUMES),
        eventSources: [...logs, ...comfyApis, ...buildA1111ApiSources(cfg, log, counter), ...buildPreemptionSources(cfg, log, counter)],
        observers: sinks.observers,
        onOutcome: (o, _seq, _r, rows) => {
          const s = toSendStatus(o);
          if (s !== undefined) sinks.metrics.observeSend(s, s === 'ok' ? rows : 0);
          sinks.metrics.setQueuedBatches(pipeline.store.size);
        },
        onCut: () => sinks.metrics.setQueuedBatches(pipeline.store.size),
        onJournalError: (err, rows) => log.error({ err, rows }, 'cannot write to the spool; rows lost'),
      });
    } catch (err: unknown) {
      return fail(
        `cannot open the spool under ${cfg.AGENT_STATE_DIR} or the collector's TLS files (${describe(err)}); set AGENT_STATE_DIR to a writable directory`,
      );
    }
    cleanups.push(() => pipeline.close());
    try {
      await pipeline.start();
    } catch (err: unknown) {
      await pipeline.agent.stop().catch(() => undefined);
      return fail(`cannot start (${describe(err)})`);
    }
    const signal = await signals.next();
    log.info({ signal }, 'stopping');
    await pipeline.stop(3000).catch((err: unknown) => log.error({ err }, 'stop failed'));
    await sinks.stop();
    return 0;
  },
};
