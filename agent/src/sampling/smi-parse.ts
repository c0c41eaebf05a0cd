// Recorded nvidia-smi output of any supported kind → GPU readings. Expected failures are values.
import { AgentError } from '../errors.js';
import type { GpuReadingDetail } from './sampler.js';
import { isComputeAppsCsv, looksLikeCsvHeader, parseQueryGpuCsv } from './smi-csv.js';
import { isNvidiaSmiQueryText, parseNvidiaSmiQueryText } from './smi-text.js';
import { isNvidiaSmiTable, parseNvidiaSmiTable } from './smi-table.js';
import { isNvidiaSmiXml, parseNvidiaSmiXml } from './smi-xml.js';

export type SmiFormat = 'xml' | 'csv' | 'text' | 'table';

/**
 * What nvidia-smi prints instead of a report when it cannot read a GPU or the driver
 * (agent/test/fixtures/nvidia-smi/error-*.txt): said as it is, not as an unknown format.
 */
const SMI_FAILURES: readonly RegExp[] = [
  /Unable to determine the device handle for GPU ?([0-9A-Fa-f:.]+): ([^\r\n]+)/,
  /NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/,
  /^No devices were found/m,
];

export type SmiParseResult = { ok: true; format: SmiFormat; gpus: GpuReadingDetail[] } | { ok: false; error: AgentError };

export interface SmiParseOptions {
  /** Field list for CSV without a header line (`--format=csv,noheader`). */
  fields?: readonly string[];
}

/** Detects the format (XML, `--query-gpu` CSV, `-q` text) and parses it. */
export function parseNvidiaSmiOutput(text: string, opts: SmiParseOptions = {}): SmiParseResult {
  if (isNvidiaSmiXml(text)) {
    const gpus = parseNvidiaSmiXml(text);
    if (gpus === undefined) return { ok: false, error: new AgentError('AGT_ERR_SMI_PARSE', 'malformed nvidia-smi XML') };
    return { ok: true, format: 'xml', gpus };
  }
  if (isComputeAppsCsv(text)) {
    return {
      ok: false,
      error: new AgentError('AGT_ERR_SMI_FORMAT_UNKNOWN', 'this is --query-compute-apps output; pass it with --compute-apps next to a --query-gpu file'),
    };
  }
  if (isNvidiaSmiQueryText(text)) return { ok: true, format: 'text', gpus: parseNvidiaSmiQueryText(text) };
  if (isNvidiaSmiTable(text)) {
    const gpus = parseNvidiaSmiTable(text);
    if (gpus.length === 0) return { ok: false, error: new AgentError('AGT_ERR_SMI_PARSE', 'the nvidia-smi table has no GPU rows') };
    return { ok: true, format: 'table', gpus };
  }
  for (const re of SMI_FAILURES) {
    const m = re.exec(text.slice(0, 4096));
    if (m !== null) {
      const what = m[1] === undefined ? m[0].trim() : `GPU ${m[1]}: ${(m[2] ?? '').trim()}`;
      return { ok: false, error: new AgentError('AGT_ERR_SMI_PARSE', `nvidia-smi printed no report: ${what}`) };
    }
  }
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (looksLikeCsvHeader(firstLine) || (opts.fields !== undefined && firstLine.includes(','))) {
    const gpus = parseQueryGpuCsv(text, opts.fields);
    if (gpus.length === 0) return { ok: false, error: new AgentError('AGT_ERR_SMI_PARSE', 'the CSV has no GPU rows') };
    return { ok: true, format: 'csv', gpus };
  }
  if (firstLine.includes(',')) {
    return {
      ok: false,
      error: new AgentError('AGT_ERR_SMI_FORMAT_UNKNOWN', 'CSV without a header line: pass the field list with --fields'),
    };
  }
  return { ok: false, error: new AgentError('AGT_ERR_SMI_FORMAT_UNKNOWN') };
}
