// Replays recorded nvidia-smi outputs (XML, CSV, -q text) as live samples: one file per sample,
// cycling, stamped with the current time. Lets the whole agent path run on a machine without a GPU.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AgentError } from '../errors.js';
import type { GpuReadingDetail, GpuSampleResult, GpuSampler } from './sampler.js';
import { parseNvidiaSmiOutput } from './smi-parse.js';

export interface ReplaySamplerOptions {
  /** Recorded files, or directories whose parseable files are replayed in name order. */
  paths: readonly string[];
  /** Clock for the stamp (tests inject one). */
  now?: () => number;
  log?: Logger;
}

function expand(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p, { throwIfNoEntry: false })?.isDirectory() === true) {
      for (const n of readdirSync(p).sort()) {
        if (!n.endsWith('.md') && !n.startsWith('help-') && !n.includes('compute-apps')) out.push(join(p, n));
      }
    } else out.push(p);
  }
  return out;
}

/** Loads and parses the recordings; files that are not GPU reports are skipped (logged once). */
export function loadReplayFrames(paths: readonly string[], log?: Logger): GpuReadingDetail[][] {
  const frames: GpuReadingDetail[][] = [];
  for (const file of expand(paths)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err: unknown) {
      log?.warn({ err, file }, 'replay file unreadable, skipped');
      continue;
    }
    const r = parseNvidiaSmiOutput(text);
    if (r.ok && r.gpus.length > 0) frames.push(r.gpus);
    else log?.warn({ file, code: r.ok ? 'AGT_ERR_SMI_PARSE' : r.error.code }, 'replay file is not a GPU report, skipped');
  }
  return frames;
}

/**
 * A sampler over recorded frames. Throws AGT_ERR_REPLAY_NO_FILES at creation when nothing usable
 * was found (a configuration error, reported once at startup).
 */
export function createReplaySampler(opts: ReplaySamplerOptions): GpuSampler {
  const log = opts.log?.child({ module: 'sampling.replay' });
  const frames = loadReplayFrames(opts.paths, log);
  if (frames.length === 0) throw new AgentError('AGT_ERR_REPLAY_NO_FILES', opts.paths.join(', '));
  const now = opts.now ?? Date.now;
  let next = 0;
  let closed = false;
  return {
    source: 'replay',
    sample(): Promise<GpuSampleResult> {
      if (closed) return Promise.resolve({ gpus: [], status: [] });
      const frame = frames[next % frames.length] ?? [];
      next += 1;
      const ts = now();
      // structuredClone: callers may mutate their snapshot without touching the next cycle.
      return Promise.resolve({ gpus: frame.map((g) => ({ ...structuredClone(g), ts_unix_ms: ts })), status: [] });
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
