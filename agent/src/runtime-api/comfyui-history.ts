// ComfyUI `GET /history` (docs/research/runtime-logs.md "2.1 ComfyUI") → job and node-cache events, one prompt at a time. Pure.
// `status.messages` holds the same `execution_*` payloads the submitting client gets on the
// websocket, so they go through comfyui-ws.ts like frames do; this module adds what only history
// has: the job's duration, its output count and the prompt's node count.
// Privacy: only prompt ids, timestamps, node ids (counted), output entries (counted) and exception
// type/message (redacted by comfyui-ws.ts) are read; the graph (prompt[2]) is only counted and
// hashed (campaigns/fingerprint.ts: node types and links; the whole graph with the agent's salt), of
// `extra_data` only `client_id` and the `renderwatch_campaign*` keys are read (campaigns/label.ts),
// and `current_inputs`, `traceback` and `meta` are never parsed.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import { z } from 'zod';
import { workflowFingerprint } from '../campaigns/fingerprint.js';
import { declaredCampaign, type DeclaredCampaign } from '../campaigns/label.js';
import type { WsFrameSummary } from '../runtime-logs/comfyui-ws.js';
import { wsFrameEvents } from '../runtime-logs/comfyui-ws.js';

const MessageDataSchema = z.object({
  prompt_id: z.string().optional(),
  timestamp: z.number().finite().nonnegative().optional(),
  nodes: z.array(z.union([z.string(), z.number()])).optional(),
  node_type: z.string().optional(),
  exception_type: z.string().optional(),
  exception_message: z.string().optional(),
});

const MessageSchema = z.tuple([z.string(), z.unknown()]).transform(([type, data]) => {
  const d = MessageDataSchema.safeParse(data);
  return { type, data: d.success ? d.data : {} };
});

export const HistoryEntrySchema = z.object({
  /** `[number, prompt_id, graph, extra_data, outputs_to_execute]`: the graph's size and hashes, extra_data's campaign keys. */
  prompt: z
    .array(z.unknown())
    .optional()
    .transform((p): { nodeCount?: number; fingerprint?: string; graph?: unknown; declared: DeclaredCampaign } => {
      const graph = p?.[2];
      const isGraph = graph !== null && typeof graph === 'object' && !Array.isArray(graph);
      const fingerprint = isGraph ? workflowFingerprint(graph) : undefined;
      return {
        ...(isGraph ? { nodeCount: Object.keys(graph).length, graph } : {}),
        ...(fingerprint === undefined ? {} : { fingerprint }),
        declared: declaredCampaign(p?.[3]),
      };
    }),
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  status: z
    .object({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(MessageSchema).default([]),
    })
    .optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** `/history`: prompt id → entry. A malformed entry fails only itself (see `parseHistory`). */
export const HistorySchema = z.record(z.string(), z.unknown());

export type ParsedHistory = { entries: { id: string; entry: HistoryEntry }[]; malformed: number };

/** Validates each entry on its own, so one odd entry (a custom node's output) costs one prompt, not the poll. */
export function parseHistory(json: Record<string, unknown>): ParsedHistory {
  const entries: { id: string; entry: HistoryEntry }[] = [];
  let malformed = 0;
  for (const [id, raw] of Object.entries(json)) {
    const r = HistoryEntrySchema.safeParse(raw);
    if (r.success) entries.push({ id, entry: r.data });
    else malformed++;
  }
  return { entries, malformed };
}

/** Output keys that are not generated media. */
const NOT_MEDIA = new Set(['audio', 'text', 'animated']);

/**
 * Files the prompt produced: entries with a `filename` under each output node's media keys, minus
 * previews (`type: "temp"`) and minus nodes served from the node cache (a cached re-run produces
 * no new image, docs/research/runtime-logs.md "3.2 Model cache hit rate").
 */
export function countOutputs(outputs: HistoryEntry['outputs'], cachedNodes: ReadonlySet<string>): number {
  return outputFiles(outputs, cachedNodes).length;
}

export interface OutputFile {
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
}

/** The files `countOutputs` counts (kept on the host only: to check after a restart that they are still served). */
export function outputFiles(outputs: HistoryEntry['outputs'], cachedNodes: ReadonlySet<string>): OutputFile[] {
  const files: OutputFile[] = [];
  for (const [nodeId, out] of Object.entries(outputs)) {
    if (cachedNodes.has(nodeId)) continue;
    for (const [key, list] of Object.entries(out)) {
      if (NOT_MEDIA.has(key) || !Array.isArray(list)) continue;
      for (const item of list as unknown[]) {
        if (item === null || typeof item !== 'object') continue;
        const o = item as Record<string, unknown>;
        if (typeof o['filename'] === 'string' && o['type'] !== 'temp')
          files.push({
            filename: o['filename'],
            subfolder: typeof o['subfolder'] === 'string' ? o['subfolder'] : '',
            type: typeof o['type'] === 'string' ? o['type'] : 'output',
          });
      }
    }
  }
  return files;
}

/** The files a finished prompt produced (not those of nodes served from the cache). */
export function producedFiles(entry: HistoryEntry): OutputFile[] {
  const cached = (entry.status?.messages ?? []).find((m) => m.type === 'execution_cached');
  return outputFiles(entry.outputs, new Set((cached?.data.nodes ?? []).map(String)));
}

export interface HistoryEventOptions {
  /** Emit the `error`/`oom` events of failed prompts (off when the console stream already gives them). */
  readonly failures: boolean;
  /** Campaign tags for job_start / job_end / node_cache (campaigns/comfyui-campaigns.ts), and job_end's job_key. */
  readonly tags?: { campaign_id?: string; workflow_fingerprint?: string; job_key?: string };
}

/** The job's start time (ms): execution_start's timestamp, else the terminal message's; undefined without either. */
export function historyStartMs(entry: HistoryEntry): number | undefined {
  const messages = entry.status?.messages ?? [];
  return messages.find((m) => m.type === 'execution_start')?.data.timestamp ?? messages.find((m) => TERMINAL.has(m.type))?.data.timestamp;
}

const TERMINAL = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

function summary(type: string, promptId: string, d: z.infer<typeof MessageDataSchema>): WsFrameSummary {
  const s: { -readonly [K in keyof WsFrameSummary]: WsFrameSummary[K] } = { type, promptId };
  if (d.nodes !== undefined) s.cachedNodes = d.nodes.length;
  if (d.exception_type !== undefined) s.exceptionType = d.exception_type;
  if (d.exception_message !== undefined) s.exceptionMessage = d.exception_message;
  if (d.timestamp !== undefined) s.timestamp = d.timestamp;
  return s;
}

function outcomeOfStatus(statusStr: string | undefined): RuntimeEventOf<'job_end'>['outcome'] {
  if (statusStr === 'success') return 'ok';
  if (statusStr === 'error') return 'error';
  return undefined;
}

/** Events of one finished prompt: job_start, node_cache, the failure (if any), job_end. */
export function historyEvents(promptId: string, entry: HistoryEntry, opts: HistoryEventOptions): RuntimeEvent[] {
  const messages = entry.status?.messages ?? [];
  const start = messages.find((m) => m.type === 'execution_start');
  const cached = messages.find((m) => m.type === 'execution_cached');
  const end = messages.find((m) => TERMINAL.has(m.type));
  const cachedIds = new Set((cached?.data.nodes ?? []).map(String));
  const out: RuntimeEvent[] = [];
  const { job_key: key, ...tags } = opts.tags ?? {};

  if (start !== undefined)
    for (const e of wsFrameEvents(summary('execution_start', promptId, start.data))) out.push(e.kind === 'job_start' ? { ...e, ...tags } : e);
  if (cached !== undefined) {
    for (const e of wsFrameEvents(summary('execution_cached', promptId, cached.data))) {
      if (e.kind === 'node_cache') {
        if (entry.prompt.nodeCount !== undefined) e.executed_nodes = entry.prompt.nodeCount;
        e.job_id = promptId;
        if (tags.workflow_fingerprint !== undefined) e.workflow_fingerprint = tags.workflow_fingerprint;
      }
      out.push(e);
    }
  }
  const endEvents: RuntimeEvent[] =
    end !== undefined
      ? wsFrameEvents(summary(end.type, promptId, end.data))
      : [
          {
            kind: 'job_end',
            runtime: 'comfyui',
            job_id: promptId,
            ...(outcomeOfStatus(entry.status?.status_str) === undefined ? {} : { outcome: outcomeOfStatus(entry.status?.status_str) }),
          },
        ];
  for (const e of endEvents) {
    if (e.kind !== 'job_end') {
      if (opts.failures) out.push(e);
      continue;
    }
    const t0 = start?.data.timestamp;
    const t1 = end?.data.timestamp;
    if (t0 !== undefined && t1 !== undefined && t1 >= t0) e.duration_s = Math.round(t1 - t0) / 1000;
    e.images = countOutputs(entry.outputs, cachedIds);
    out.push({ ...e, ...tags, ...(key === undefined ? {} : { job_key: key }) });
  }
  return out;
}
