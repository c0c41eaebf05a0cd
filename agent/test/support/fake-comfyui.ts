// A small stand-in for a ComfyUI server (node:http + ws on 127.0.0.1): /system_stats, /queue,
// /history (with ComfyUI's max_items semantics), /internal/logs/raw, PATCH /internal/logs/subscribe
// and /ws?clientId=, serving the payload shapes of comfyui-shapes.ts. Tests set its state, push
// console writes and frames, break endpoints (`malformed`), and stop/restart it on the same port.
// The frames and answers have the shapes a real ComfyUI 0.8.0 sends (agent/test/fixtures/comfyui-real,
// checked by fake-comfyui.test.ts); e2e/src/comfyui-real.int.test.ts runs the real server. This fake
// stays for what the real one cannot produce here: a sampler's progress, a CUDA OOM, old versions.
// No side effects at import; every server is started by the test and stopped by it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { systemStats } from './comfyui-shapes.js';

export interface FakeComfyuiState {
  systemStats: Record<string, unknown>;
  queueRunning: unknown[][];
  queuePending: unknown[][];
  /** prompt id → entry, oldest first (ComfyUI's dict order). */
  history: Map<string, Record<string, unknown>>;
  /** LogInterceptor's buffer: the last 300 writes. */
  console: { t: string; m: string }[];
  /** False: a ComfyUI before 2024-08-30 (no /internal/logs routes). */
  logsApi: boolean;
  /** Endpoint path → raw body sent instead of the real answer (broken JSON, odd shapes). */
  malformed: Map<string, string>;
}

export interface FakeComfyui {
  readonly url: string;
  readonly port: number;
  readonly state: FakeComfyuiState;
  /** `METHOD /path?query` of every HTTP request, in order. */
  readonly requests: string[];
  /** Bodies of PATCH /internal/logs/subscribe. */
  readonly subscriptions: { clientId?: string; enabled?: boolean }[];
  /** Client ids of the websockets connected now. */
  socketClients(): string[];
  /** Appends console writes (to the buffer and, as one `logs` frame, to subscribed sockets). */
  consoleWrite(entries: readonly { t: string; m: string }[]): void;
  /** Sends a text frame to every socket. */
  broadcast(text: string): void;
  /** Adds a finished prompt to /history and broadcasts a `status` frame, as ComfyUI does. */
  finishPrompt(id: string, entry: Record<string, unknown>): void;
  stop(): Promise<void>;
  /** Stops, then listens again on the same port with fresh in-memory state (history, console). */
  restart(state?: Partial<FakeComfyuiState>): Promise<void>;
  /** Deletes an output file from the fake's "disk" (outputs of served history entries, kept across restarts). */
  removeOutput(filename: string): void;
}

/** `type: output` file names in history entries. */
function outputNames(entries: Iterable<Record<string, unknown>>): string[] {
  const names: string[] = [];
  for (const e of entries) {
    const outputs = (e['outputs'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const node of Object.values(outputs))
      for (const list of Object.values(node))
        if (Array.isArray(list))
          for (const item of list as { filename?: unknown; type?: unknown }[])
            if (typeof item?.filename === 'string' && item.type === 'output') names.push(item.filename);
  }
  return names;
}

function freshState(over: Partial<FakeComfyuiState> = {}): FakeComfyuiState {
  return { systemStats: systemStats(), queueRunning: [], queuePending: [], history: new Map(), console: [], logsApi: true, malformed: new Map(), ...over };
}

/** ComfyUI's `get_history(max_items)`: the newest `max_items` entries, oldest first. */
function historySlice(h: Map<string, Record<string, unknown>>, maxItems: number | undefined): Record<string, unknown> {
  const entries = [...h.entries()];
  const from = maxItems === undefined ? 0 : Math.max(0, entries.length - maxItems);
  return Object.fromEntries(entries.slice(from));
}

export async function startFakeComfyui(initial: Partial<FakeComfyuiState> = {}): Promise<FakeComfyui> {
  let state = freshState(initial);
  const requests: string[] = [];
  const subscriptions: { clientId?: string; enabled?: boolean }[] = [];
  const sockets = new Map<string, WebSocket>();
  const subscribed = new Set<string>();
  const conns = new Set<Socket>();
  /** The output folder: files of the history entries served, surviving restarts (as files on disk do). */
  const disk = new Set<string>();
  const removed = new Set<string>();

  const send = (res: ServerResponse, path: string, status: number, body: unknown): void => {
    const broken = state.malformed.get(path);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(broken ?? JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname.replace(/^\/api(?=\/)/, '');
    requests.push(`${req.method ?? 'GET'} ${path}${u.search}`);
    if (req.method === 'GET' && path === '/system_stats') return send(res, path, 200, state.systemStats);
    if (req.method === 'GET' && path === '/queue') return send(res, path, 200, { queue_running: state.queueRunning, queue_pending: state.queuePending });
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/view') {
      const name = u.searchParams.get('filename') ?? '';
      const there = u.searchParams.get('type') === 'output' && disk.has(name) && !removed.has(name);
      res.writeHead(there ? 200 : 404, { 'content-type': there ? 'image/png' : 'text/plain' }).end();
      return;
    }
    if (req.method === 'GET' && path === '/history') {
      for (const n of outputNames(state.history.values())) disk.add(n);
      const mi = u.searchParams.get('max_items');
      return send(res, path, 200, historySlice(state.history, mi === null ? undefined : Number(mi)));
    }
    if (state.logsApi && req.method === 'GET' && path === '/internal/logs/raw')
      return send(res, path, 200, { entries: state.console, size: { cols: 80, rows: 24 } });
    if (state.logsApi && req.method === 'PATCH' && path === '/internal/logs/subscribe') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const b = JSON.parse(body) as { clientId?: string; enabled?: boolean };
        subscriptions.push(b);
        if (b.clientId !== undefined) {
          if (b.enabled === true) subscribed.add(b.clientId);
          else subscribed.delete(b.clientId);
        }
        res.writeHead(200).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
  };

  const server = createServer(handle);
  const wss = new WebSocketServer({ noServer: true });
  server.on('connection', (c: Socket) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
  });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname.replace(/^\/api(?=\/)/, '') !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = u.searchParams.get('clientId') ?? `sid-${sockets.size}`;
      sockets.get(id)?.terminate();
      sockets.set(id, ws);
      ws.on('close', () => {
        if (sockets.get(id) === ws) sockets.delete(id);
      });
      ws.send(
        JSON.stringify({
          type: 'status',
          data: { status: { exec_info: { queue_remaining: state.queueRunning.length + state.queuePending.length } }, sid: id },
        }),
      );
    });
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);

  const stop = async (): Promise<void> => {
    for (const ws of sockets.values()) ws.terminate();
    sockets.clear();
    subscribed.clear();
    for (const c of conns) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  const broadcast = (text: string): void => {
    for (const ws of sockets.values()) ws.send(text);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get state() {
      return state;
    },
    requests,
    subscriptions,
    socketClients: () => [...sockets.keys()],
    consoleWrite(entries) {
      state.console.push(...entries);
      if (state.console.length > 300) state.console.splice(0, state.console.length - 300);
      // a real server's subscribers get `size: null` (its terminal size is only in /internal/logs/raw)
      const frame = JSON.stringify({ type: 'logs', data: { entries, size: null } });
      for (const id of subscribed) sockets.get(id)?.send(frame);
    },
    broadcast,
    finishPrompt(id, entry) {
      state.history.set(id, entry);
      broadcast(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: state.queuePending.length } } } }));
    },
    stop,
    removeOutput(filename) {
      removed.add(filename);
    },
    async restart(over = {}) {
      await stop();
      state = freshState(over);
      await listen(port);
    },
  };
}
