// ComfyUI WebSocket frames (`{"type": ..., "data": ...}`), as JSON from the socket or as the Python
// dict repr clients print, to events. Only ids, counts and exception types are read: the frames can
// carry the whole prompt graph (docs/research/runtime-logs.md "4 Pitfalls" no. 9).
import type { RuntimeEvent } from '@renderwatch/schema';
import { buildOomEvent } from './oom-cause.js';
import { errorMessageFields } from './redact.js';
import { isOomText, parseOom } from './torch-oom.js';

export interface WsFrameSummary {
  readonly type: string;
  readonly promptId?: string;
  /** `execution_cached`: number of cached node ids. */
  readonly cachedNodes?: number;
  readonly exceptionType?: string;
  readonly exceptionMessage?: string;
  /** Milliseconds since the epoch (ComfyUI ≥ 2024-07). */
  readonly timestamp?: number;
}

const TYPE = /^\{\s*["']type["']\s*:\s*["'](\w+)["']/;
const PROMPT_ID = /["']prompt_id["']\s*:\s*["']([\w-]+)["']/;
const NODES = /["']nodes["']\s*:\s*\[([^\]]*)\]/;
const EXC_TYPE = /["']exception_type["']\s*:\s*["']([\w.]+)["']/;
const EXC_MSG = /["']exception_message["']\s*:\s*(["'])((?:(?!\1)[^\\]|\\.)*)\1/;
const TIMESTAMP = /["']timestamp["']\s*:\s*(\d{10,16})/;

/** Cheap test: does this line look like a printed WS frame? */
export function isWsFrameLine(text: string): boolean {
  return text.startsWith('{') && TYPE.test(text);
}

/** Summarises one frame given as text (JSON or Python repr). */
export function summariseWsFrame(text: string): WsFrameSummary | undefined {
  const t = TYPE.exec(text);
  if (t?.[1] === undefined) return undefined;
  const out: { -readonly [K in keyof WsFrameSummary]: WsFrameSummary[K] } = { type: t[1] };
  const p = PROMPT_ID.exec(text);
  if (p?.[1] !== undefined) out.promptId = p[1];
  if (out.type === 'execution_cached') {
    const n = NODES.exec(text);
    if (n?.[1] !== undefined) out.cachedNodes = n[1].trim() === '' ? 0 : n[1].split(',').length;
  }
  const et = EXC_TYPE.exec(text);
  if (et?.[1] !== undefined) out.exceptionType = et[1];
  const em = EXC_MSG.exec(text);
  if (em?.[2] !== undefined) out.exceptionMessage = em[2].replace(/\\n/g, '\n');
  const ts = TIMESTAMP.exec(text);
  if (ts?.[1] !== undefined) out.timestamp = Number(ts[1]);
  return out;
}

function isoFromMs(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Events of one frame. `ts` is used when the frame has no timestamp of its own. */
export function wsFrameEvents(f: WsFrameSummary, fallbackTs?: string): RuntimeEvent[] {
  const ts = isoFromMs(f.timestamp) ?? fallbackTs;
  const base = { runtime: 'comfyui', ...(ts === undefined ? {} : { ts }) } as const;
  const job = f.promptId === undefined ? {} : { job_id: f.promptId };
  switch (f.type) {
    case 'execution_start':
      return [{ ...base, kind: 'job_start', ...job }];
    case 'execution_cached':
      // no job_id here: parse-log output keeps the node_cache fields of the contract (docs/design.md
      // "Contracts"); the API adapter adds the prompt id (runtime-api/comfyui-history.ts)
      return f.cachedNodes === undefined ? [] : [{ ...base, kind: 'node_cache', cached_nodes: f.cachedNodes }];
    case 'execution_success':
      return [{ ...base, kind: 'job_end', ...job, outcome: 'ok' }];
    case 'execution_interrupted':
      return [{ ...base, kind: 'job_end', ...job, outcome: 'interrupted' }];
    case 'execution_error': {
      const text = `${f.exceptionType ?? ''}: ${f.exceptionMessage ?? ''}`;
      const oom = isOomText(text) ? parseOom(text) : undefined;
      const failure: RuntimeEvent =
        oom !== undefined
          ? buildOomEvent('comfyui', oom, { ts })
          : {
              ...base,
              kind: 'error',
              ...(f.exceptionType === undefined ? {} : { error_type: f.exceptionType }),
              ...errorMessageFields(f.exceptionType, f.exceptionMessage),
            };
      return [failure, { ...base, kind: 'job_end', ...job, outcome: oom !== undefined ? 'oom' : 'error' }];
    }
    default:
      return [];
  }
}
