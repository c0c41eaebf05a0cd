// HTTP and websocket access to one ComfyUI server. Expected failures are values, never throws:
// the server being down (`unreachable`), slow (`timeout`), answering an error status, or answering
// something that is not the JSON shape we know (`bad_json` / `bad_shape`), each told apart because
// the adapter reacts differently (reconnect vs count-and-carry-on).
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { z } from 'zod';

export type ApiResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'unreachable'; error: Error }
  | { status: 'timeout' }
  | { status: 'http_error'; httpStatus: number }
  | { status: 'bad_json'; error: Error }
  | { status: 'bad_shape'; issues: string };

export type ApiFailure = Exclude<ApiResult<unknown>, { status: 'ok' }>;

export interface ComfyuiClient {
  readonly baseUrl: string;
  /** This agent's own websocket client id (never another client's: the server would drop theirs). */
  readonly clientId: string;
  getJson<S extends z.ZodType>(path: string, schema: S): Promise<ApiResult<z.infer<S>>>;
  /** `PATCH /internal/logs/subscribe`: the console stream for our client id. */
  subscribeLogs(enabled: boolean): Promise<ApiResult<null>>;
  /** Opens `/ws?clientId=...`; the socket is the caller's to watch and close. */
  openSocket(): WebSocket;
  /** `HEAD /view?filename&subfolder&type`: whether the server still serves that output file (undefined: could not tell). */
  hasOutput(file: { filename: string; subfolder: string; type: string }): Promise<boolean | undefined>;
}

export interface ComfyuiClientOptions {
  /** `http://127.0.0.1:8188` (a trailing `/` and an `/api` prefix are kept as given). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly clientId?: string;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function createComfyuiClient(opts: ComfyuiClientOptions): ComfyuiClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const clientId = opts.clientId ?? `renderwatch-agent-${randomUUID()}`;

  async function request(path: string, init: RequestInit): Promise<ApiResult<string>> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (err: unknown) {
      if (isTimeout(err)) return { status: 'timeout' };
      return { status: 'unreachable', error: asError(err) };
    }
    let body: string;
    try {
      body = await res.text();
    } catch (err: unknown) {
      if (isTimeout(err)) return { status: 'timeout' };
      return { status: 'unreachable', error: asError(err) };
    }
    if (!res.ok) return { status: 'http_error', httpStatus: res.status };
    return { status: 'ok', value: body };
  }

  return {
    baseUrl: base,
    clientId,
    async getJson(path, schema) {
      const r = await request(path, { method: 'GET', headers: { accept: 'application/json' } });
      if (r.status !== 'ok') return r;
      let json: unknown;
      try {
        json = JSON.parse(r.value);
      } catch (err: unknown) {
        return { status: 'bad_json', error: asError(err) };
      }
      const parsed = schema.safeParse(json);
      return parsed.success ? { status: 'ok', value: parsed.data } : { status: 'bad_shape', issues: describeIssues(parsed.error) };
    },
    async subscribeLogs(enabled) {
      const r = await request('/internal/logs/subscribe', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId, enabled }),
      });
      return r.status === 'ok' ? { status: 'ok', value: null } : r;
    },
    async hasOutput(file) {
      const q = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
      try {
        const res = await fetch(`${base}/view?${q.toString()}`, { method: 'HEAD', signal: AbortSignal.timeout(opts.timeoutMs) });
        if (res.status === 200) return true;
        return res.status === 404 ? false : undefined;
      } catch {
        return undefined;
      }
    },
    openSocket() {
      const ws = new URL(`${base}/ws`);
      ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
      ws.searchParams.set('clientId', clientId);
      return new WebSocket(ws, { handshakeTimeout: opts.timeoutMs, maxPayload: 16 * 1024 * 1024 });
    },
  };
}
