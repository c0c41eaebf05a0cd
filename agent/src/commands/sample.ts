import { parseArgs } from 'node:util';
import pino from 'pino';
import { isAgentError } from '../errors.js';
import type { GpuSourceChoice } from '../sampling/gpu-source.js';
import { createNvmlSampler, isNvmlUnavailable } from '../sampling/nvml.js';
import { queryNvidiaSmiOnce } from '../sampling/nvidia-smi.js';
import type { GpuReadingDetail } from '../sampling/sampler.js';
import { type Command, wantsHelp } from './command.js';
import { toContractReading } from './parse-nvidia-smi.js';

const USAGE = `usage: renderwatch-agent sample --once [--source auto|nvml|nvidia-smi] [--nvml-lib PATH] [--nvidia-smi PATH] [--detail]

Samples the live GPUs once and prints {"gpus":[...]} in the parse-nvidia-smi shape.
  --source      auto (default): NVML, falling back to nvidia-smi when NVML cannot be loaded
  --nvml-lib    path of libnvidia-ml.so (default: libnvidia-ml.so.1 from the loader path)
  --nvidia-smi  path of nvidia-smi (default: nvidia-smi on PATH)
  --detail      print every field the source gave (pci_bus_id, energy, counters, MIG, ...) and status events
Exit codes: 0 sampled, 1 no GPU source works (the error code says why), 2 bad usage.
`;

const SOURCES: readonly GpuSourceChoice[] = ['auto', 'nvml', 'nvidia-smi'];

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'sample the live GPUs once (NVML or nvidia-smi) and print {"gpus":[...]} as JSON',
  usage: USAGE,
  async run(argv, io) {
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    let values;
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          once: { type: 'boolean' },
          source: { type: 'string', default: 'auto' },
          'nvml-lib': { type: 'string' },
          'nvidia-smi': { type: 'string' },
          detail: { type: 'boolean' },
        },
      }).values;
    } catch (err: unknown) {
      io.err(`renderwatch-agent sample: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
      return 2;
    }
    const source = SOURCES.find((s) => s === values.source);
    if (values.once !== true || source === undefined) {
      io.err(USAGE);
      return 2;
    }
    // Warnings (fallback reasons, failed reads) go to stderr; stdout stays pure JSON.
    const log = pino({ level: 'warn', base: null }, pino.destination(2));
    const smiPath = values['nvidia-smi'];
    const emit = (gpus: GpuReadingDetail[], extra: Record<string, unknown> = {}): number => {
      const out = values.detail === true ? { ...extra, gpus } : { gpus: gpus.map(toContractReading) };
      io.out(`${JSON.stringify(out)}\n`);
      return 0;
    };
    let nvmlReason: string | undefined;
    try {
      if (source !== 'nvidia-smi') {
        try {
          const nvml = createNvmlSampler({ log, watchXid: false, ...(values['nvml-lib'] === undefined ? {} : { libPath: values['nvml-lib'] }) });
          const result = await nvml.sample();
          await nvml.close();
          return emit(result.gpus, { source: 'nvml', status: result.status });
        } catch (err: unknown) {
          if (source === 'nvml' || !isNvmlUnavailable(err)) throw err;
          nvmlReason = err instanceof Error ? err.message : String(err);
        }
      }
      // One sample: a single --query-gpu spawn, not the long-lived -lms loop the daemon uses.
      const r = await queryNvidiaSmiOnce(smiPath === undefined ? {} : { smiPath });
      if (!r.ok) {
        if (nvmlReason !== undefined) io.err(`renderwatch-agent sample: NVML unavailable (${nvmlReason})\n`);
        throw r.error;
      }
      if (nvmlReason !== undefined) log.warn({ reason: nvmlReason }, 'nvml unavailable, used nvidia-smi');
      const ts = Date.now();
      return emit(
        r.gpus.map((g) => ({ ...g, ts_unix_ms: ts })),
        { source: 'nvidia-smi', status: [] },
      );
    } catch (err: unknown) {
      if (isAgentError(err)) {
        io.err(`renderwatch-agent sample: ${err.code}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
