// Which ComfyUI log file (AGENT_RUNTIME_LOGS `comfyui:<path>`) and which ComfyUI API
// (AGENT_COMFYUI_URLS) watch the same server. Both carry that server's console: the log file line by
// line, the API as its console stream (`/internal/logs`) and its `/history`. Watched both ways
// without pairing, every start, ready, failure and job was reported twice (seen with the real
// ComfyUI: e2e/src/comfyui-real-daemon.int.test.ts). A paired server has one source per fact
// (docs/runtime-adapters.md "A ComfyUI watched by its API and its log"):
// - the log file gives every console event (it keeps what happened while the agent was down, by
//   byte offset; the API's console buffer holds only its last lines) except jobs and node-cache hits;
// - /history gives jobs and node-cache hits, with prompt ids, image counts and outcomes.
import type { RuntimeEvent } from '@renderwatch/schema';
import type { RuntimeLog } from '../config.js';

/** Kinds /history reports (with prompt ids, durations and output counts) instead of the console. */
export const HISTORY_OWNED_KINDS: ReadonlySet<RuntimeEvent['kind']> = new Set(['job_start', 'job_end', 'node_cache']);

export type ComfyuiPairingRule =
  /** No ComfyUI log file, or no ComfyUI API: nothing to pair. */
  | 'one_way'
  /** One of each on the host: the same server (a host runs one ComfyUI per GPU set, watched once). */
  | 'single_instance'
  /** Several of each: which log belongs to which URL cannot be told; nothing paired, and said so. */
  | 'ambiguous';

export interface ComfyuiPairing {
  readonly rule: ComfyuiPairingRule;
  /** The log file whose job events /history reports instead. */
  readonly logPath?: string;
  /** The API whose console events the log file reports instead. */
  readonly url?: string;
  /** Said once at start when the configuration cannot be paired. */
  readonly warning?: string;
}

/** The ordered rules above: the first that applies decides. */
export function pairComfyui(logs: readonly RuntimeLog[], urls: readonly string[]): ComfyuiPairing {
  const comfyLogs = logs.filter((l) => l.runtime === 'comfyui');
  if (comfyLogs.length === 0 || urls.length === 0) return { rule: 'one_way' };
  const [onlyLog] = comfyLogs;
  const [onlyUrl] = urls;
  if (comfyLogs.length === 1 && urls.length === 1 && onlyLog !== undefined && onlyUrl !== undefined) {
    return { rule: 'single_instance', logPath: onlyLog.path, url: onlyUrl };
  }
  return {
    rule: 'ambiguous',
    warning:
      `${comfyLogs.length} ComfyUI log file(s) and ${urls.length} ComfyUI API URL(s) are configured: which log belongs to which ` +
      'server cannot be told, so a server watched both ways has its starts, failures and jobs counted twice. Watch each ' +
      'ComfyUI either by its API (AGENT_COMFYUI_URLS) or by its log file (AGENT_RUNTIME_LOGS), or run one of each per host.',
  };
}
