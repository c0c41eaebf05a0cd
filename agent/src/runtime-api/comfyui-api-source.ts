// The live ComfyUI adapter for one URL. Every poll: `/system_stats` (liveness, versions, VRAM),
// `/queue` (depth, time in queue) and `/history` (each finished prompt reported once); meanwhile a
// websocket carries the console stream into the ComfyUI log parser (comfyui-console-link.ts).
// When ComfyUI stops answering, the adapter retries with capped, jittered backoff; when it answers
// again after having been down, that is a runtime start: the console's own startup lines report it
// (with the process's times) when the stream has them, otherwise the adapter emits `runtime_start`
// (at the last failed probe) and `runtime_ready` (at the first answer) itself, with the version from
// /system_stats. Unexpected answers are counted and logged once; nothing here throws to the agent.
// Each finished prompt is put in its campaign (campaigns/comfyui-campaigns.ts); a restart of ComfyUI
// or of the agent while a campaign is open is sent as that campaign's interruption, with the count
// of its images ComfyUI no longer serves; a campaign that ended gets that count once more.
import { randomBytes } from 'node:crypto';
import type { RuntimeEvent } from '@renderwatch/schema';
import { createCampaignTracker, type CampaignTracker, type OutputFileRef } from '../campaigns/comfyui-campaigns.js';
import { jobKey } from '../campaigns/fingerprint.js';
import { missingOutputs } from '../campaigns/output-check.js';
import type { SampleErrorCounter } from '../sampling/failure-reporter.js';
import type { ApiErrorReporter } from './api-error-reporter.js';
import { createApiErrorReporter } from './api-error-reporter.js';
import { apiStatePath, loadApiState, saveApiState } from './comfyui-api-state.js';
import type { ApiResult, ComfyuiClient } from './comfyui-client.js';
import { createComfyuiClient } from './comfyui-client.js';
import type { ConsoleFeed } from './comfyui-console.js';
import { createConsoleFeed, createWatermarkOnlyFeed } from './comfyui-console.js';
import type { ConsoleLink } from './comfyui-console-link.js';
import { openConsoleLink } from './comfyui-console-link.js';
import { HistorySchema, historyEvents, historyStartMs, parseHistory, producedFiles } from './comfyui-history.js';
import type { QueueEmitState } from './comfyui-queue.js';
import { QueueSchema, queueEventFor, queueSnapshot } from './comfyui-queue.js';
import type { ComfySystemStats } from './comfyui-system-stats.js';
import { SystemStatsSchema, summariseSystemStats, versionKey } from './comfyui-system-stats.js';
import { createSeenIds } from './seen-ids.js';

export interface ApiSourceLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ComfyuiApiSourceOptions {
  /** Base URL, e.g. `http://127.0.0.1:8188`. */
  readonly url: string;
  readonly log: ApiSourceLog;
  readonly onEvent: (e: RuntimeEvent) => void;
  /** Where reported prompt ids and the console position are kept; none = memory only. */
  readonly stateDir?: string;
  readonly pollMs: number;
  readonly timeoutMs: number;
  /** Backoff cap while ComfyUI is down, ms. */
  readonly reconnectMaxMs: number;
  /** First backoff step, ms (default min(pollMs, 1000)). */
  readonly reconnectMinMs?: number;
  /** `/history?max_items=` per poll (default 200). */
  readonly historyMaxItems?: number;
  /** Prompt ids remembered (default 2000; must exceed historyMaxItems). */
  readonly seenCapacity?: number;
  /** A `queue` event is repeated this often while prompts wait (default 60 s). */
  readonly queueHeartbeatMs?: number;
  /** Campaign grouping window (campaigns/comfyui-campaigns.ts; default 10 min). */
  readonly campaignWindowMs?: number;
  readonly counter?: SampleErrorCounter;
  readonly now?: () => number;
  readonly client?: ComfyuiClient;
  /**
   * The server's log file is followed too (paired, sources/comfyui-pairing.ts): it reports the
   * console's events (starts, readiness, failures, loads, OOMs), so the console stream's events and
   * the adapter's own start after a restart are not reported, and /history leaves failures to it.
   */
  readonly consoleFromLog?: boolean;
}

export interface ComfyuiApiSourceStats {
  readonly up: boolean;
  readonly console: boolean;
  /** Times ComfyUI came back after being down. */
  readonly restarts: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly systemStats?: ComfySystemStats;
}

export interface ComfyuiApiSource {
  start(): void;
  stop(): Promise<void>;
  /** One poll cycle now (tests). */
  pollOnce(): Promise<void>;
  stats(): ComfyuiApiSourceStats;
  /**
   * Console-stream lines not readable whole (comfyui-console.ts `unreadableLines`), and lines with
   * impossible values, over every ComfyUI process seen; none while the log file reports the console.
   */
  unreadableLines(): number;
  parseErrors(): number;
}

/** One ComfyUI process, as far as the adapter can tell (from coming up to going down). */
interface Epoch {
  readonly restart: boolean;
  readonly feed: ConsoleFeed;
  link: ConsoleLink | undefined;
  linkRetryAtMs: number;
  startReported: boolean;
  readyReported: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function createComfyuiApiSource(o: ComfyuiApiSourceOptions): ComfyuiApiSource {
  const now = o.now ?? Date.now;
  const client = o.client ?? createComfyuiClient({ baseUrl: o.url, timeoutMs: o.timeoutMs });
  const reporter: ApiErrorReporter = createApiErrorReporter({ log: o.log, ...(o.counter === undefined ? {} : { counter: o.counter }), url: client.baseUrl });
  const statePath = o.stateDir === undefined ? undefined : apiStatePath(o.stateDir, client.baseUrl);
  const loaded = statePath === undefined ? { state: { seen: [] as string[] } } : loadApiState(statePath);
  if ('problem' in loaded && loaded.problem !== undefined)
    o.log.warn({ err: loaded.problem, path: statePath }, 'comfyui adapter state unreadable; starting afresh');
  const seen = createSeenIds(o.seenCapacity ?? 2000, loaded.state.seen);
  const historyMax = o.historyMaxItems ?? 200;
  const minBackoff = o.reconnectMinMs ?? Math.min(o.pollMs, 1000);
  let watermark = loaded.state.consoleWatermark;
  const salt = loaded.state.salt ?? randomBytes(16).toString('hex');
  const campaigns: CampaignTracker = createCampaignTracker({
    initial: loaded.state.campaigns ?? [],
    ...(o.campaignWindowMs === undefined ? {} : { windowMs: o.campaignWindowMs }),
  });
  /** Campaigns were open when the agent last stopped: the first contact records an agent restart. */
  let agentRestartPending = (loaded.state.campaigns ?? []).length > 0;
  /** New prompt ids to save (at once), or only a newer console position (at most every 10 s). */
  let dirty: 'seen' | 'console' | undefined = loaded.state.salt === undefined ? 'seen' : undefined;
  let savedAtMs = 0;

  let phase: 'unknown' | 'up' | 'down' = 'unknown';
  let lastFailAtMs: number | undefined;
  let backoffMs = minBackoff;
  let restarts = 0;
  let epoch: Epoch | undefined;
  /** The newest console feed and the counts of the ones before it (each finished when replaced). */
  let lastFeed: ConsoleFeed | undefined;
  const feedCounts = { unreadable: 0, parseErrors: 0 };
  const track = (feed: ConsoleFeed): ConsoleFeed => {
    feedCounts.unreadable += lastFeed?.unreadableLines() ?? 0;
    feedCounts.parseErrors += lastFeed?.parseErrors() ?? 0;
    lastFeed = feed;
    return feed;
  };
  let system: ComfySystemStats | undefined;
  let versions: string | undefined;
  let queueState: QueueEmitState = {};
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const emit = (e: RuntimeEvent): void => {
    try {
      o.onEvent(e);
    } catch (err: unknown) {
      o.log.warn({ err, url: client.baseUrl }, 'runtime event handler failed');
    }
  };
  const emitConsole = (ep: Epoch, events: readonly RuntimeEvent[]): void => {
    for (const e of events) {
      // One start and one ready per process: the console's, unless the adapter already stood in.
      if (e.kind === 'runtime_start') {
        if (ep.startReported && ep.restart) continue;
        ep.startReported = true;
      } else if (e.kind === 'runtime_ready') {
        if (ep.readyReported && ep.restart) continue;
        ep.readyReported = true;
      }
      emit(e);
    }
    const w = ep.feed.watermark();
    if (w !== watermark) {
      watermark = w;
      dirty ??= 'console';
    }
  };

  function persist(force = false): void {
    if (dirty === undefined || statePath === undefined) return;
    if (dirty === 'console' && !force && now() - savedAtMs < 10_000) return;
    dirty = undefined;
    savedAtMs = now();
    const err = saveApiState(statePath, {
      seen: seen.values(),
      ...(watermark === undefined ? {} : { consoleWatermark: watermark }),
      campaigns: campaigns.records(),
      salt,
    });
    if (err !== undefined) reporter.report('state file', { status: 'bad_entry', issues: err.message });
  }

  /** Per campaign, how many of the given remembered output files the server no longer serves (only campaigns where every check answered). */
  const missing = (byCampaign: ReadonlyMap<string, readonly OutputFileRef[]>): Promise<Map<string, number>> =>
    missingOutputs(byCampaign, (f) => client.hasOutput(f));

  /** Campaigns that ended since the last poll: their images checked once (campaigns/output-check.ts). */
  async function checkFinished(): Promise<void> {
    const ended = campaigns.finishedOutputs(now());
    if (ended.size === 0) return;
    dirty = 'seen';
    for (const [id, gone] of await missing(ended)) emit(campaigns.endCheck(id, gone, now()));
  }

  async function connectConsole(ep: Epoch): Promise<void> {
    const r = await openConsoleLink({
      client,
      feed: ep.feed,
      reporter,
      log: o.log,
      onEvents: (evs) => {
        if (epoch === ep) emitConsole(ep, evs);
      },
      onWake: () => {
        if (epoch === ep) wake();
      },
      onClose: () => {
        if (epoch === ep) wake();
      },
    });
    if (r.status === 'ok') {
      if (epoch === ep) ep.link = r.link;
      else await r.link.close();
      return;
    }
    ep.linkRetryAtMs = now() + o.reconnectMaxMs;
    reporter.report('/ws', { status: 'unreachable', error: r.error });
  }

  function goDown(): void {
    const ep = epoch;
    epoch = undefined;
    phase = 'down';
    queueState = {};
    if (ep === undefined) return;
    o.log.warn({ url: client.baseUrl }, 'comfyui unreachable; retrying with backoff');
    void ep.link?.close();
    emitConsole(ep, ep.feed.finish());
  }

  async function comeUp(stats: ComfySystemStats | undefined): Promise<void> {
    const restart = phase === 'down';
    const failedAt = lastFailAtMs;
    const upAt = now();
    phase = 'up';
    backoffMs = minBackoff;
    if (restart) restarts++;
    const ep: Epoch = {
      restart,
      feed: track((o.consoleFromLog === true ? createWatermarkOnlyFeed : createConsoleFeed)(watermark === undefined ? {} : { watermark })),
      link: undefined,
      linkRetryAtMs: 0,
      startReported: false,
      readyReported: false,
    };
    epoch = ep;
    // the open campaigns' images, checked once: recorded on the runtime restart when both happened
    const gone = agentRestartPending || restart ? await missing(campaigns.openOutputs(upAt)) : undefined;
    const interruptions = [
      ...(agentRestartPending ? campaigns.interrupted('agent_restart', upAt, restart ? undefined : gone) : []),
      ...(restart ? campaigns.interrupted('runtime_restart', upAt, gone) : []),
    ];
    agentRestartPending = false;
    for (const e of interruptions) emit(e);
    if (interruptions.length > 0) dirty = 'seen';
    o.log.info(
      { url: client.baseUrl, restart, comfyuiVersion: stats?.comfyuiVersion, pythonVersion: stats?.pythonVersion, pytorchVersion: stats?.pytorchVersion },
      'comfyui up',
    );
    await connectConsole(ep);
    if (!restart || epoch !== ep || o.consoleFromLog === true) return;
    // The console's startup lines (if it had them) reported this start already.
    if (!ep.startReported) {
      ep.startReported = true;
      emit({
        kind: 'runtime_start',
        runtime: 'comfyui',
        ts: iso(failedAt ?? upAt),
        ...(stats?.comfyuiVersion === undefined ? {} : { version: stats.comfyuiVersion }),
      });
    }
    if (!ep.readyReported) {
      ep.readyReported = true;
      emit({ kind: 'runtime_ready', runtime: 'comfyui', ts: iso(upAt), url: client.baseUrl });
    }
  }

  /** ok → the value; a failure is counted (not a network one: that is the caller's). */
  function valueOf<T>(endpoint: string, r: ApiResult<T>): T | undefined {
    if (r.status === 'ok') {
      reporter.ok(endpoint);
      return r.value;
    }
    if (r.status !== 'unreachable') reporter.report(endpoint, r); // gone: the next probe says so
    return undefined;
  }

  async function pollJobs(ep: Epoch): Promise<void> {
    const q = valueOf('/queue', await client.getJson('/queue', QueueSchema));
    if (q !== undefined) {
      const at = now();
      const e = queueEventFor(queueState, queueSnapshot(q, at), at, o.queueHeartbeatMs ?? 60_000);
      if (e !== undefined) {
        queueState = { last: queueSnapshot(q, at), lastAtMs: at };
        emit(e);
      }
    }
    const h = valueOf('/history', await client.getJson(`/history?max_items=${historyMax}`, HistorySchema));
    // after the history, so the campaigns of the prompts it reports exist
    const planFromQueue = (): void => {
      if (q !== undefined) for (const c of campaigns.queued([...q.queue_running, ...q.queue_pending], now())) emit(c);
    };
    if (h === undefined) return planFromQueue();
    const parsed = parseHistory(h);
    if (parsed.malformed > 0) reporter.report('/history', { status: 'bad_entry', issues: `${parsed.malformed} entries of an unknown shape` });
    const consoleGivesFailures = o.consoleFromLog === true || (ep.link?.console === true && ep.link.isOpen());
    for (const { id, entry } of parsed.entries) {
      if (seen.has(id)) continue;
      seen.add(id);
      dirty = 'seen';
      const { declared, fingerprint, graph } = entry.prompt;
      const assigned = campaigns.assign(
        { promptId: id, ...declared, ...(fingerprint === undefined ? {} : { fingerprint }) },
        historyStartMs(entry) ?? now(),
        producedFiles(entry),
      );
      for (const e of assigned.events) emit(e);
      const key = graph === undefined ? undefined : jobKey(graph, salt);
      for (const e of historyEvents(id, entry, { failures: !consoleGivesFailures, tags: { ...assigned.tags, ...(key === undefined ? {} : { job_key: key }) } }))
        emit(e);
    }
    planFromQueue();
  }

  async function cycle(): Promise<void> {
    const r = await client.getJson('/system_stats', SystemStatsSchema);
    if (r.status === 'timeout') {
      // slow, not gone (a busy process): counted, but no restart is inferred from it
      reporter.report('/system_stats', r);
      return;
    }
    // 502-504: a reverse proxy in front of a ComfyUI that is not there
    if (r.status === 'unreachable' || (r.status === 'http_error' && r.httpStatus >= 502 && r.httpStatus <= 504)) {
      lastFailAtMs = now();
      if (phase === 'unknown') o.log.info({ url: client.baseUrl }, 'comfyui not answering yet; retrying with backoff');
      if (phase === 'up') goDown();
      else phase = 'down';
      return;
    }
    const stats = valueOf('/system_stats', r);
    const summary = stats === undefined ? undefined : summariseSystemStats(stats);
    if (summary !== undefined) {
      system = summary;
      const key = versionKey(summary);
      if (versions !== undefined && key !== versions) o.log.info({ url: client.baseUrl, from: versions, to: key }, 'comfyui versions changed');
      versions = key;
    }
    if (phase !== 'up') await comeUp(summary);
    const ep = epoch;
    if (ep === undefined) return;
    if (ep.link === undefined || !ep.link.isOpen()) {
      if (now() >= ep.linkRetryAtMs) {
        ep.link = undefined;
        await connectConsole(ep);
      }
    }
    await pollJobs(ep);
    await checkFinished();
    emitConsole(ep, ep.feed.idle());
  }

  function schedule(): void {
    if (stopped) return;
    const base = phase === 'up' ? o.pollMs : backoffMs;
    if (phase !== 'up') backoffMs = Math.min(o.reconnectMaxMs, backoffMs * 2);
    const jitter = phase === 'up' ? 0 : Math.round(base * 0.2 * Math.random());
    timer = setTimeout(() => void run(), base + jitter);
    timer.unref();
  }

  async function run(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    running = (async () => {
      do {
        again = false;
        try {
          await cycle();
        } catch (err: unknown) {
          o.log.warn({ err, url: client.baseUrl }, 'comfyui poll failed');
        }
        persist();
      } while (again && !isStopped());
    })();
    try {
      await running;
    } finally {
      running = undefined;
      schedule();
    }
  }

  const isStopped = (): boolean => stopped;

  function wake(): void {
    if (!stopped) void run();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void run();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (running !== undefined) await running;
      const ep = epoch;
      epoch = undefined;
      if (ep !== undefined) {
        await ep.link?.close();
        emitConsole(ep, ep.feed.finish());
      }
      persist(true);
    },
    pollOnce: () => run(),
    unreadableLines: () => feedCounts.unreadable + (lastFeed?.unreadableLines() ?? 0),
    parseErrors: () => feedCounts.parseErrors + (lastFeed?.parseErrors() ?? 0),
    stats: () => ({
      up: phase === 'up',
      console: epoch?.link?.console === true && epoch.link.isOpen(),
      restarts,
      errors: reporter.counts(),
      ...(system === undefined ? {} : { systemStats: system }),
    }),
  };
}
