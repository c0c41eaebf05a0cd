// The adapter's websocket to one ComfyUI process: `/ws?clientId=<ours>`, then
// `PATCH /internal/logs/subscribe {"clientId", "enabled": true}` so the server pushes every console
// write to us as `logs` frames, after a backfill from `GET /internal/logs/raw` (its last 300 writes,
// which hold the startup lines when we attach right after a start; frames that arrive while it
// runs are held, and writes they share with the backfill are fed once). Other frames are read through
// comfyui-ws.ts only to learn that the queue changed or a prompt ended, which makes the adapter poll
// at once: their job events reach only the submitting client (docs/research/runtime-logs.md "4 Pitfalls" no. 10), so jobs are
// taken from /history.
import type { RuntimeEvent } from '@renderwatch/schema';
import type { RawData, WebSocket } from 'ws';
import { summariseWsFrame } from '../runtime-logs/comfyui-ws.js';
import type { ApiErrorReporter } from './api-error-reporter.js';
import type { ComfyuiClient } from './comfyui-client.js';
import type { ConsoleFeed, LogEntry } from './comfyui-console.js';
import { LogsFrameSchema, RawLogsSchema } from './comfyui-console.js';

const key = (e: LogEntry): string => `${e.t}\u0000${e.m}`;

/** Frames after which /queue or /history has news. */
const WAKE_TYPES = new Set(['status', 'execution_success', 'execution_error', 'execution_interrupted']);
/** Frames held while the backfill runs; beyond this the oldest are dropped (counted). */
const MAX_HELD_FRAMES = 2000;

export interface ConsoleLinkOptions {
  readonly client: ComfyuiClient;
  readonly feed: ConsoleFeed;
  readonly reporter: ApiErrorReporter;
  readonly log: { info(obj: object, msg: string): void };
  /** Console events (parser output). */
  readonly onEvents: (events: RuntimeEvent[]) => void;
  /** The queue changed or a prompt finished. */
  readonly onWake: () => void;
  /** The socket closed (server gone, or restarting). */
  readonly onClose: () => void;
}

export interface ConsoleLink {
  /** The console stream is subscribed (ComfyUI with `/internal/logs`, 2024-08-30+). */
  readonly console: boolean;
  isOpen(): boolean;
  /** Unsubscribes (best effort) and closes the socket. */
  close(): Promise<void>;
}

export type ConsoleLinkResult = { status: 'ok'; link: ConsoleLink } | { status: 'failed'; error: Error };

function waitOpen(ws: WebSocket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const done = (err?: Error): void => {
      ws.off('open', onOpen);
      ws.off('error', onError);
      ws.off('close', onEarlyClose);
      resolve(err);
    };
    const onOpen = (): void => done();
    const onError = (err: Error): void => done(err);
    const onEarlyClose = (): void => done(new Error('websocket closed before it opened'));
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('close', onEarlyClose);
  });
}

export async function openConsoleLink(o: ConsoleLinkOptions): Promise<ConsoleLinkResult> {
  const ws = o.client.openSocket();
  const held: string[] = [];
  let live = false;
  let closedByUs = false;

  /** Writes the backfill returned: frames held meanwhile may repeat some of them (each once). */
  const inSnapshot = new Map<string, number>();
  const notInSnapshot = (e: LogEntry): boolean => {
    const n = inSnapshot.get(key(e)) ?? 0;
    if (n === 0) return true;
    inSnapshot.set(key(e), n - 1);
    return false;
  };

  const handle = (text: string, wasHeld: boolean): void => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err: unknown) {
      o.reporter.report('/ws', { status: 'bad_json', error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    const f = summariseWsFrame(text);
    if (f === undefined) return; // JSON of a kind we do not know
    if (f.type === 'logs') {
      const r = LogsFrameSchema.safeParse(json);
      if (!r.success) {
        o.reporter.report('/ws', { status: 'bad_shape', issues: r.error.issues[0]?.message ?? 'logs frame' });
        return;
      }
      const entries = wasHeld && inSnapshot.size > 0 ? r.data.data.entries.filter(notInSnapshot) : r.data.data.entries;
      o.onEvents(o.feed.push(entries, 'stream'));
      return;
    }
    if (WAKE_TYPES.has(f.type)) o.onWake();
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return; // previews
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (live) handle(text, false);
    else {
      held.push(text);
      if (held.length > MAX_HELD_FRAMES) {
        held.shift();
        o.reporter.report('/ws', { status: 'bad_entry', issues: 'frames dropped while the console backfill ran' });
      }
    }
  });
  const openErr = await waitOpen(ws);
  if (openErr !== undefined) {
    ws.terminate();
    return { status: 'failed', error: openErr };
  }
  ws.on('error', () => {
    // followed by 'close', which is what the adapter acts on
  });
  ws.on('close', () => {
    if (!closedByUs) o.onClose();
  });

  const sub = await o.client.subscribeLogs(true);
  let subscribed = sub.status === 'ok';
  if (sub.status === 'http_error' && (sub.httpStatus === 404 || sub.httpStatus === 405)) {
    o.log.info({ url: o.client.baseUrl }, 'comfyui has no console stream (/internal/logs): jobs from /history only');
  } else if (sub.status !== 'ok') {
    o.reporter.report('/internal/logs/subscribe', sub);
  }
  if (subscribed) {
    const raw = await o.client.getJson('/internal/logs/raw', RawLogsSchema);
    if (raw.status === 'ok') {
      o.reporter.ok('/internal/logs/raw');
      for (const e of raw.value.entries) inSnapshot.set(key(e), (inSnapshot.get(key(e)) ?? 0) + 1);
      o.onEvents(o.feed.push(raw.value.entries, 'snapshot'));
    } else if (raw.status === 'http_error' && raw.httpStatus === 404) {
      // subscribe without raw: the stream still works, only the backfill is missing
    } else o.reporter.report('/internal/logs/raw', raw);
  }
  live = true;
  for (const text of held.splice(0)) handle(text, true);
  inSnapshot.clear();

  return {
    status: 'ok',
    link: {
      get console() {
        return subscribed;
      },
      isOpen: () => ws.readyState === ws.OPEN,
      async close() {
        closedByUs = true;
        if (subscribed && ws.readyState === ws.OPEN) await o.client.subscribeLogs(false);
        subscribed = false;
        ws.close();
      },
    },
  };
}
