// The factory the agent daemon wires in: tail one runtime's log file and emit its events.
// Offsets are committed only up to the first line of a record still being assembled, so an agent
// restart (even a crash) neither loses nor repeats a record; a clean stop flushes everything.
// A file docker's json-file driver writes is found by its first non-empty line and read entry by
// entry (docker-json-log.ts); the decision is made again for each new file (rotation, truncation).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { detectLogFileFormat, dockerJsonToCri, type LogFileFormat } from './docker-json-log.js';
import { createLogTailer, type TailState } from './log-tailer.js';
import type { LogRecord } from './log-record.js';
import { createParserSession } from './parser-session.js';
import { createRecordAssembler } from './record-assembler.js';

export interface RuntimeLogSourceOptions {
  readonly runtime: RuntimeName;
  readonly path: string;
  /** Directory for the offset/inode state file (created if missing). */
  readonly stateDir: string;
  readonly log: { warn(obj: object, msg: string): void };
  readonly onEvent: (event: RuntimeEvent) => void;
  /** Poll interval in ms (default 500). */
  readonly pollMs?: number;
  /** For a file never seen before: read it from the beginning (default) or only new lines. */
  readonly startAt?: 'beginning' | 'end';
  /** Polls without new data after which a record held for continuation lines is emitted (default 2). */
  readonly idlePolls?: number;
  /**
   * Where positions are committed instead of the state file: the agent's spool, keyed by
   * `positionKey(path)`. `commit` must persist the events handed to `onEvent` before it in the same
   * write as the position, so a crash at any instant neither loses nor repeats an event.
   */
  readonly offsets?: LogOffsets;
  /** Bytes per read (the tailer's `maxReadBytes`; tests read a byte at a time). */
  readonly maxReadBytes?: number;
}

export interface LogOffsets {
  get(key: string): TailState | undefined;
  commit(key: string, at: TailState): void;
}

/** The key a followed file's position is kept under (in the spool, and the state file's name). */
export function positionKey(path: string): string {
  return `runtime-log-${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
}

export interface RuntimeLogSource {
  start(): void;
  /** Flushes held records and commits the offset. */
  stop(): void;
  /** One poll, synchronously (tests, and the timer's body). */
  pollOnce(): void;
  /** Lines in a known format with impossible values (e.g. a 9 EB download): counted, never events, logged once. */
  parseErrors(): number;
  /** Lines not readable whole (binary or non-UTF-8 bytes, NUL padding, over 64 Ki characters): counted, logged once. */
  unreadableLines(): number;
}

export function stateFileFor(stateDir: string, path: string): string {
  return join(stateDir, `${positionKey(path)}.json`);
}

export function createRuntimeLogSource(opts: RuntimeLogSourceOptions): RuntimeLogSource {
  mkdirSync(opts.stateDir, { recursive: true });
  const key = positionKey(opts.path);
  const offsets = opts.offsets;
  const tailer = createLogTailer({
    path: opts.path,
    statePath: stateFileFor(opts.stateDir, opts.path),
    startAt: opts.startAt ?? 'beginning',
    ...(opts.maxReadBytes === undefined ? {} : { maxReadBytes: opts.maxReadBytes }),
    ...(offsets === undefined ? {} : { positions: { load: () => offsets.get(key), save: (s: TailState) => offsets.commit(key, s) } }),
  });
  const session = createParserSession(opts.runtime);
  let assembler = createRecordAssembler({ unreadable: session.unreadable });
  let lastEnd: number | undefined;
  /** The current file's format, once its first non-empty line was read. */
  let format: LogFileFormat | undefined;
  /** The containerd-form lines of one json-file entry (reused). */
  const entryLines: string[] = [];
  let idle = 0;
  let timer: NodeJS.Timeout | undefined;
  let parseErrorLogged = false;
  let unreadableLogged = false;

  const deliver = (recs: readonly LogRecord[]): void => {
    for (const r of recs) {
      for (const e of session.record(r)) {
        try {
          opts.onEvent(e);
        } catch (err: unknown) {
          opts.log.warn({ err, runtime: opts.runtime }, 'runtime event handler failed');
        }
      }
    }
    logCountsOnce();
  };
  /** The first refused and the first unreadable line are logged (with the reason), later ones only counted. */
  const logCountsOnce = (): void => {
    if (!parseErrorLogged && session.parseErrors.count > 0) {
      parseErrorLogged = true;
      opts.log.warn(
        { runtime: opts.runtime, path: opts.path, reason: session.parseErrors.last },
        'log line with impossible values skipped (counted; logged once)',
      );
    }
    if (!unreadableLogged && session.unreadable.count > 0) {
      unreadableLogged = true;
      opts.log.warn({ runtime: opts.runtime, path: opts.path, reason: session.unreadable.last }, 'log line not readable whole (counted; logged once)');
    }
  };
  const commit = (): void => {
    const at = assembler.pendingStartOffset() ?? lastEnd;
    if (at !== undefined) tailer.commit(at);
  };

  /** One json-file line: its entry's lines, or counted unreadable (and skipped). */
  const pushDockerJson = (text: string, start: number): void => {
    const reason = dockerJsonToCri(text, entryLines);
    if (reason !== undefined) {
      session.unreadable.count++;
      session.unreadable.last = reason;
      logCountsOnce();
    }
    for (let i = 0; i < entryLines.length; i++) deliver(assembler.push(entryLines[i] as string, start));
    entryLines.length = 0;
  };

  function pollOnce(): void {
    try {
      const { lines, rotated } = tailer.poll();
      for (const l of lines) {
        if (format === undefined && l.text.trim() !== '') format = detectLogFileFormat(l.text);
        if (format === 'docker-json') pushDockerJson(l.text, l.start);
        else deliver(assembler.push(l.text, l.start));
        lastEnd = l.end;
      }
      if (lines.length === 0) idle++;
      else idle = 0;
      if (rotated || (idle >= (opts.idlePolls ?? 2) && assembler.pendingStartOffset() !== undefined)) deliver(assembler.flush());
      if (lines.length > 0 || idle === (opts.idlePolls ?? 2)) commit();
      if (rotated) {
        format = undefined;
        assembler = createRecordAssembler({ unreadable: session.unreadable });
        lastEnd = 0;
        commit();
      }
    } catch (err: unknown) {
      opts.log.warn({ err, path: opts.path }, 'runtime log poll failed');
    }
  }

  return {
    pollOnce,
    parseErrors: () => session.parseErrors.count,
    unreadableLines: () => session.unreadable.count,
    start() {
      if (timer !== undefined) return;
      pollOnce();
      timer = setInterval(pollOnce, opts.pollMs ?? 500);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      pollOnce();
      deliver(assembler.flush());
      for (const e of session.finish()) opts.onEvent(e);
      commit();
      tailer.close();
    },
  };
}
