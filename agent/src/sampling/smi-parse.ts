// Recorded nvidia-smi output of any supported kind → GPU readings. Expected failures are values.
import { AgentError } from '../errors.js';
import type { GpuReadingDetail } from './sampler.js';
import { isComputeAppsCsv, looksLikeCsvHeader, parseQueryGpuCsv } from './smi-csv.js';
import { isNvidiaSmiQueryText, parseNvidiaSmiQueryText } from './smi-text.js';
import { isNvidiaSmiXml, parseNvidiaSmiXml } from './smi-xml.js';

export type SmiFormat = 'xml' | 'csv' | 'text';

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
