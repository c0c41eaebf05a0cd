// `renderwatch-agent run`: the daemon. Builds the sources named by the config, the export pipeline,
// and runs until SIGTERM/SIGINT.
import pino from 'pino';
import { createAgent } from '../agent.js';
import { loadAgentConfig } from '../config.js';
import { createDelivery } from '../export/delivery.js';
import { buildGpuSampler } from '../sources/gpu-source.js';
import type { Command } from './command.js';
import { wantsHelp } from './command.js';
import { parseArgs } from './flags.js';

const USAGE = `usage: renderwatch-agent run [--collector-address host:port] [--gpu-source auto|nvml|nvidia-smi|replay|none]
                            [--replay-files a.xml,b.csv] [--sample-interval-ms 1000] [--token T] ...

Runs the agent daemon: samples GPUs and the host every interval, follows runtime logs, and sends
batches to the collector over gRPC. Every option is also an environment variable: --collector-address
is AGENT_COLLECTOR_ADDRESS, --sample-interval-ms is AGENT_SAMPLE_INTERVAL_MS, and so on (docs/config.md).
Flags win over the environment.
`;

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
    const log = pino({ level: cfg.AGENT_LOG_LEVEL, redact: ['token', 'AGENT_TOKEN', 'config.AGENT_TOKEN'] });
    const gpu = await buildGpuSampler(cfg, log);
    if (!gpu.ok) {
      io.err(`renderwatch-agent run: ${gpu.message}\n`);
      return 1;
    }
    // Disk spool → retrying sender → Export (docs/delivery.md).
    const delivery = createDelivery(cfg, log.child({ module: 'export' }));
    const agent = createAgent(cfg, { log, gpuSampler: gpu.sampler, deliver: (req) => delivery.deliver(req), firstSeq: delivery.firstSeq });
    await agent.start();
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        void agent
          .stop()
          .then(() => delivery.drain(3000))
          .then(() => {
            delivery.close();
            resolve();
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
