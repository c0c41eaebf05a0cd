// The real ComfyUI of ../shared/comfyui-real (its README: `run-comfyui.sh PORT LOG`, Debian's
// python3, no model weights) for integration tests: start it on a free port with a base directory
// of the test's own, stop exactly the process started, submit prompts, wait for their history, and
// search every text column of a database for a string. Side-effect free at import.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Storage } from '@renderwatch/collector';
import { raw } from '@renderwatch/collector';

/** `../shared/comfyui-real` beside the repository (absent in a user's clone). */
export const COMFYUI_REAL_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'comfyui-real');
export const comfyuiRealPresent = (): boolean => existsSync(join(COMFYUI_REAL_DIR, 'run-comfyui.sh'));

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/**
 * A free port below the kernel's ephemeral range (20000-29999): ComfyUI is restarted on the same
 * port, and while it is down a server another test binds to port 0 (an ephemeral port) cannot take it.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port in 20000-29999');
}

export interface RealComfyui {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM to the process started (its own process group leader), then wait until it is gone. */
  stop(): Promise<void>;
}

/** Starts ComfyUI on `port` writing under `baseDir`; resolves once /system_stats answers. */
export async function startRealComfyui(port: number, baseDir: string, logFile: string): Promise<RealComfyui> {
  const child = spawn('bash', [join(COMFYUI_REAL_DIR, 'run-comfyui.sh'), String(port), logFile], {
    env: { ...process.env, COMFY_BASE_DIR: baseDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const pid = Number(out.trim().split('\n')[0]);
  if (code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`run-comfyui.sh exited ${code}: ${err.trim()}`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      for (let i = 0; i < 300; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      process.kill(pid, 'SIGKILL');
    },
  };
}

/** POST /prompt; the prompt id (throws on a refusal). */
export async function submitPrompt(url: string, prompt: object, clientId: string, extraData: object = {}): Promise<string> {
  const res = await fetch(`${url}/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, client_id: clientId, extra_data: extraData }),
  });
  const body = (await res.json()) as { prompt_id?: string };
  if (res.status !== 200 || body.prompt_id === undefined) throw new Error(`POST /prompt answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.prompt_id;
}

/** POST /upload/image of `content` as `name` (multipart, as the frontend sends it). */
export async function uploadImage(url: string, name: string, content: string): Promise<void> {
  const form = new FormData();
  form.append('image', new Blob([content], { type: 'image/png' }), name);
  form.append('overwrite', 'true');
  const res = await fetch(`${url}/upload/image`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
}

export async function getJsonOf<T>(url: string, path: string): Promise<T> {
  return (await (await fetch(`${url}${path}`)).json()) as T;
}

/** Waits until every prompt id is in /history (ComfyUI wrote its result). */
export async function waitForHistory(url: string, ids: readonly string[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await getJsonOf<Record<string, unknown>>(url, '/history');
    if (ids.every((id) => id in h)) return;
    if (Date.now() > until) throw new Error(`prompts not in /history after ${timeoutMs} ms: ${ids.filter((id) => !(id in h)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `table.column` of every String, Nullable(String) or Array(String) column in `db` holding `needle` (one query per table). */
export async function columnsContaining(storage: Storage, db: string, needle: string): Promise<string[]> {
  const cols = await storage.query<{ table: string; name: string; type: string }>(
    raw(
      `SELECT table, name, type FROM system.columns WHERE database = '${db}' AND type LIKE '%String%' AND type NOT LIKE 'AggregateFunction%' ORDER BY table, name`,
    ),
  );
  const lit = `'${needle.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const byTable = new Map<string, { name: string; type: string }[]>();
  for (const c of cols) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  const hits: string[] = [];
  for (const [table, list] of byTable) {
    const tests = list.map((c, i) =>
      c.type.startsWith('Array')
        ? `sum(arrayExists(x -> position(x, ${lit}) > 0, \`${c.name}\`)) AS h${i}`
        : `sum(position(assumeNotNull(\`${c.name}\`), ${lit}) > 0) AS h${i}`,
    );
    const [row] = await storage.query<Record<string, string | number>>(raw(`SELECT ${tests.join(', ')} FROM ${db}.\`${table}\``));
    list.forEach((c, i) => {
      if (Number(row?.[`h${i}`] ?? 0) > 0) hits.push(`${table}.${c.name}`);
    });
  }
  return hits;
}

/** How many String-typed columns `db` has (the search above is not vacuous). */
export async function textColumnCount(storage: Storage, db: string): Promise<number> {
  const [row] = await storage.query<{ n: string }>(
    raw(`SELECT count() AS n FROM system.columns WHERE database = '${db}' AND type LIKE '%String%' AND type NOT LIKE 'AggregateFunction%'`),
  );
  return Number(row?.n);
}
