import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { GpuReadingSchema, type GpuReading } from '@renderwatch/schema';
import type { GpuReadingDetail } from '../sampling/sampler.js';
import { attachComputeApps, parseComputeAppsCsv } from '../sampling/smi-csv.js';
import { parseNvidiaSmiOutput } from '../sampling/smi-parse.js';
import { type Command, wantsHelp } from './command.js';

const USAGE = `usage: renderwatch-agent parse-nvidia-smi [--fields a,b,c] [--compute-apps FILE] [--detail] FILE

Reads recorded nvidia-smi output and prints {"gpus":[...]} (docs/design.md "Contracts"):
  - \`nvidia-smi -q -x\` XML (DTD v10..v13, with or without DOCTYPE)
  - \`nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]\` (header line, or --fields)
  - \`nvidia-smi -q\` text
  - \`nvidia-smi\` (the default table, as users paste it; drivers 369 to 610)
Absent values ([N/A], [Not Supported], ...) are omitted.

options:
  --fields LIST         comma-separated --query-gpu field list, for CSV without a header line
  --compute-apps FILE   a --query-compute-apps CSV whose processes are attached to the GPUs
  --detail              also print the fields beyond the contract (pci_bus_id, counters, MIG, ...)
`;

/** Contract fields only (zod strips the rest), in the contract's key order. */
export function toContractReading(g: GpuReadingDetail): GpuReading {
  return GpuReadingSchema.parse(g);
}

export const parseNvidiaSmiCommand: Command = {
  name: 'parse-nvidia-smi',
  summary: 'parse recorded nvidia-smi XML/CSV/text output and print {"gpus":[...]} as JSON',
  usage: USAGE,
  async run(argv, io) {
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: { fields: { type: 'string' }, 'compute-apps': { type: 'string' }, detail: { type: 'boolean' } },
      });
    } catch (err: unknown) {
      io.err(`renderwatch-agent parse-nvidia-smi: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
      return 2;
    }
    const file = parsed.positionals[0];
    if (file === undefined || parsed.positionals.length > 1) {
      io.err(USAGE);
      return 2;
    }
    let text: string;
    let appsText: string | undefined;
    try {
      text = await readFile(file, 'utf8');
      const apps = parsed.values['compute-apps'];
      if (apps !== undefined) appsText = await readFile(apps, 'utf8');
    } catch (err: unknown) {
      io.err(`renderwatch-agent parse-nvidia-smi: cannot read file: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const fields = parsed.values.fields?.split(',').map((f) => f.trim());
    const result = parseNvidiaSmiOutput(text, fields === undefined ? {} : { fields });
    if (!result.ok) {
      io.err(`renderwatch-agent parse-nvidia-smi: ${result.error.code}: ${result.error.message}\n`);
      return 1;
    }
    if (appsText !== undefined) attachComputeApps(result.gpus, parseComputeAppsCsv(appsText));
    const gpus = parsed.values.detail === true ? result.gpus : result.gpus.map(toContractReading);
    io.out(`${JSON.stringify({ gpus })}\n`);
    return 0;
  },
};
