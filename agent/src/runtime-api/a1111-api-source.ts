// The A1111 / Forge API adapter for one URL: polls `GET /sdapi/v1/progress?skip_current_image=true`
// (a1111-progress.ts turns the answers into batch campaigns and their jobs). When the server stops
// answering and answers again, a batch that was running is recorded as interrupted by a runtime
// restart. Failures are counted (`runtime_api` sample errors) and logged once per kind; nothing here
// throws to the agent.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { z } from 'zod';
import type { EventSource } from '../agent.js';
import { A1111ProgressSchema, createBatchFollower, type BatchFollower, type BatchRuntime, type OpenBatch } from './a1111-progress.js';
import { createPollTimer } from '../sources/poll-timer.js';

/** The batch open when the agent stopped (so an agent restart is recorded and its iterations counted once). */
const A1111StateSchema = z.object({
  open: z
    .object({
      stamp: z.string(),
      campaignId: z.string(),
      jobCount: z.number().int().positive().optional(),
      jobNo: z.number().int().nonnegative(),
      ended: z.number().int().nonnegative(),
      startSent: z.boolean(),
      interrupted: z.boolean(),
    })
    .optional(),
});

export function a1111StatePath(stateDir: string, url: string): string {
  return join(stateDir, `a1111-api-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
}

function loadOpenBatch(path: string): { open?: OpenBatch; problem?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    return err instanceof Error && 'code' in err && err.code === 'ENOENT' ? {} : { problem: String(err) };
  }
  try {
    const r = A1111StateSchema.safeParse(JSON.parse(text));
    if (!r.success) return { problem: 'unknown shape' };
    return r.data.open === undefined ? {} : { open: r.data.open as OpenBatch };
  } catch (err: unknown) {
    return { problem: String(err) };
  }
}

export interface A1111ApiSourceOptions {
  /** Base URL, e.g. `http://127.0.0.1:7860`. */
  readonly url: string;
  readonly runtime: BatchRuntime;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly counter?: { inc(source: string): void };
  readonly now?: () => number;
  /** Where the open batch is kept across agent restarts; none = memory only. */
  readonly stateDir?: string;
}

export interface A1111ApiSource extends EventSource {
  /** One poll now (tests, and the timer's body); the events emitted. */
  pollOnce(): Promise<RuntimeEvent[]>;
}

type Answer = { ok: true; value: unknown } | { ok: false; kind: 'unreachable' | 'http_error' | 'bad_answer' };

export function createA1111ApiSource(o: A1111ApiSourceOptions): A1111ApiSource {
  const now = o.now ?? Date.now;
  const base = o.url.replace(/\/+$/, '');
  const statePath = o.stateDir === undefined ? undefined : a1111StatePath(o.stateDir, base);
  const loaded = statePath === undefined ? {} : loadOpenBatch(statePath);
  if (loaded.problem !== undefined) o.log.warn({ path: statePath, problem: loaded.problem }, 'a1111 adapter state unreadable; starting afresh');
  const follower: BatchFollower = createBatchFollower(base, o.runtime, loaded.open);
  let agentRestartPending = loaded.open !== undefined;
  let saved = JSON.stringify(loaded.open ?? null);
  const persist = (): void => {
    if (statePath === undefined) return;
    const open = follower.open();
    const text = JSON.stringify(open ?? null);
    if (text === saved) return;
    try {
      mkdirSync(o.stateDir ?? '.', { recursive: true });
      writeFileSync(`${statePath}.tmp`, JSON.stringify(open === undefined ? {} : { open }));
      renameSync(`${statePath}.tmp`, statePath);
      saved = text;
    } catch (err: unknown) {
      fail('state_file', { err });
    }
  };
  let emit: ((e: RuntimeEvent, observedAtMs: number) => void) | undefined;
  let phase: 'unknown' | 'up' | 'down' = 'unknown';
  const logged = new Set<string>();
  let inflight: Promise<RuntimeEvent[]> | undefined;

  const fail = (kind: string, extra: object = {}): void => {
    o.counter?.inc('runtime_api');
    if (logged.has(kind)) return;
    logged.add(kind);
    o.log.warn({ url: base, runtime: o.runtime, kind, ...extra }, 'a1111 progress API answer not usable (counted; logged once per kind)');
  };

  async function ask(): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${base}/sdapi/v1/progress?skip_current_image=true`, { signal: AbortSignal.timeout(o.timeoutMs) });
    } catch {
      return { ok: false, kind: 'unreachable' };
    }
    // 502-504: a proxy in front of a server that is not there
    if (res.status >= 502 && res.status <= 504) return { ok: false, kind: 'unreachable' };
    if (res.status !== 200) return { ok: false, kind: 'http_error' };
    try {
      return { ok: true, value: JSON.parse(await res.text()) as unknown };
    } catch {
      return { ok: false, kind: 'bad_answer' };
    }
  }

  async function pollBody(): Promise<RuntimeEvent[]> {
    const a = await ask();
    const at = now();
    if (!a.ok) {
      if (a.kind === 'unreachable') {
        if (phase === 'up') o.log.warn({ url: base, runtime: o.runtime }, 'a1111 API unreachable; a running batch is interrupted if it does not come back');
        phase = 'down';
        return [];
      }
      fail(a.kind);
      return [];
    }
    const out: RuntimeEvent[] = [];
    if (agentRestartPending) out.push(...follower.agentRestarted(at));
    agentRestartPending = false;
    if (phase === 'down') out.push(...follower.restarted(at));
    phase = 'up';
    const p = A1111ProgressSchema.safeParse(a.value);
    if (!p.success) {
      fail('bad_shape', { issue: p.error.issues[0]?.message });
      return out;
    }
    out.push(...follower.observe(p.data, at));
    return out;
  }

  async function pollOnce(): Promise<RuntimeEvent[]> {
    for (let p = inflight; p !== undefined; p = inflight) await p;
    inflight = pollBody();
    try {
      const evs = await inflight;
      persist();
      for (const e of evs) {
        try {
          emit?.(e, now());
        } catch (err: unknown) {
          o.log.warn({ err }, 'runtime event handler failed');
        }
      }
      return evs;
    } finally {
      inflight = undefined;
    }
  }

  const timer = createPollTimer(o.pollMs, pollOnce);
  return {
    pollOnce,
    start(e) {
      emit = e;
      timer.start();
    },
    stop: () => timer.stop(),
  };
}

/** `forge@http://...` names a Forge server; a plain URL an A1111 one. */
export function parseA1111Url(entry: string): { url: string; runtime: BatchRuntime } | undefined {
  const forge = entry.startsWith('forge@');
  const url = (forge ? entry.slice('forge@'.length) : entry).replace(/\/+$/, '');
  return /^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(url) ? { url, runtime: forge ? 'forge' : 'a1111' } : undefined;
}

export function buildA1111ApiSources(
  cfg: {
    AGENT_A1111_URLS: readonly { url: string; runtime: BatchRuntime }[];
    AGENT_A1111_POLL_INTERVAL_MS: number;
    AGENT_COMFYUI_TIMEOUT_MS: number;
    AGENT_STATE_DIR: string;
  },
  log: A1111ApiSourceOptions['log'],
  counter?: A1111ApiSourceOptions['counter'],
): A1111ApiSource[] {
  return cfg.AGENT_A1111_URLS.map(({ url, runtime }) =>
    createA1111ApiSource({
      url,
      runtime,
      pollMs: cfg.AGENT_A1111_POLL_INTERVAL_MS,
      timeoutMs: cfg.AGENT_COMFYUI_TIMEOUT_MS,
      stateDir: join(cfg.AGENT_STATE_DIR, 'runtime-api'),
      log,
      ...(counter === undefined ? {} : { counter }),
    }),
  );
}
