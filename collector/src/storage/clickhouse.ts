import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { AppError } from '../errors.js';
import { isNetworkError } from './clickhouse-errors.js';
import type { SqlFragment } from './sql.js';

export interface StorageOptions {
  url: string;
  database: string;
  username: string;
  password: string;
  /** Deadline of a request without a shorter one of its own (inserts, DDL, migrations), ms. */
  requestTimeoutMs?: number;
  /** Deadline of a /ping (readiness, and the probe while ClickHouse is marked down), ms. */
  pingTimeoutMs?: number;
  /** ClickHouse settings sent with every request (cluster mode: storage/cluster-ddl.ts). */
  settings?: Readonly<Record<string, string | number>>;
}

/**
 * The collector's ClickHouse connection. Every query goes through `query`/`command` with an SQL
 * fragment built by ./sql.ts; inserts go through `insert` as JSONEachRow.
 */
export interface Storage {
  readonly database: string;
  /** `settings` are ClickHouse settings for this one query (e.g. `max_execution_time`). */
  query<T>(q: SqlFragment, settings?: Record<string, number | string>): Promise<T[]>;
  /** `settings` are ClickHouse settings for this one statement (migrations: storage/server-ddl.ts). */
  command(q: SqlFragment, settings?: Record<string, number | string>): Promise<void>;
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * Inserts rows already serialized as JSONEachRow lines (the ingest hot path builds them once,
   * instead of row objects the client would stringify again). Only `table` (a plain identifier) is
   * SQL; ClickHouse reads the text after `FORMAT JSONEachRow` with its JSON parser, never as SQL.
   * Buffers (UTF-8 lines, one after the other) are sent as the request body as they are, the statement in the URL.
   */
  insertJsonLines(table: string, text: string | Buffer | readonly Buffer[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const PLAIN_TABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function wrap(err: unknown, what: string): AppError {
  const msg = err instanceof Error ? err.message : String(err);
  // By the system error code (./clickhouse-errors.ts); a deadline is the abort signal's (withDeadline).
  if (isNetworkError(err)) {
    return new AppError('COL_ERR_STORAGE_UNREACHABLE', `${what}: ${msg}`, { cause: err });
  }
  return new AppError('COL_ERR_STORAGE_QUERY', `${what}: ${msg.split('\n')[0] ?? msg}`, { cause: err });
}

/** A query with `max_execution_time` gets that much plus this slack before the collector gives up on it, ms. */
const QUERY_DEADLINE_SLACK_MS = 2000;
/** Retry hint given while ClickHouse does not answer, seconds. */
const DOWN_RETRY_AFTER_S = 2;

function deadlineOf(settings: Record<string, number | string> | undefined, fallbackMs: number): number {
  const s = Number(settings?.max_execution_time);
  return Number.isFinite(s) && s > 0 ? Math.min(fallbackMs, s * 1000 + QUERY_DEADLINE_SLACK_MS) : fallbackMs;
}

/** Runs `f` with an abort signal that fires after `ms`; an abort becomes COL_ERR_STORAGE_UNREACHABLE with a retry hint. */
async function withDeadline<T>(ms: number, what: string, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await f(signal);
  } catch (err: unknown) {
    if (signal.aborted)
      throw new AppError('COL_ERR_STORAGE_UNREACHABLE', `${what}: ClickHouse did not answer within ${ms} ms`, { retryAfterS: DOWN_RETRY_AFTER_S });
    throw wrap(err, what);
  }
}

function makeClient(o: StorageOptions, database: string | undefined): ClickHouseClient {
  return createClient({
    url: o.url,
    username: o.username,
    password: o.password,
    ...(database === undefined ? {} : { database }),
    // After withDeadline's abort (which says which deadline it was), so the client's own untyped
    // "Timeout error." never decides what a slow ClickHouse is.
    request_timeout: (o.requestTimeoutMs ?? 30_000) + 1000,
    compression: { request: false, response: false },
    max_open_connections: 32,
    clickhouse_settings: { ...o.settings },
    // The client would log every failed request; the collector counts and logs them (once) itself.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/**
 * Every call has a deadline (queries: their max_execution_time plus slack; the rest:
 * requestTimeoutMs; ping: pingTimeoutMs). A call that found ClickHouse unreachable or hung marks
 * it down; while down, calls first wait for one shared ping (at most pingTimeoutMs, at most one a
 * second) and fail at once with COL_ERR_STORAGE_UNREACHABLE and a retry hint if it does not
 * answer, so a hung ClickHouse costs the API a ping, not a request timeout.
 */
export function createStorage(o: StorageOptions): Storage {
  const client = makeClient(o, o.database);
  const requestMs = o.requestTimeoutMs ?? 30_000;
  const pingMs = o.pingTimeoutMs ?? 1500;
  let down = false;
  let probe: { at: number; ok: Promise<boolean> } | undefined;

  async function ping(): Promise<boolean> {
    let ok: boolean;
    try {
      ok = (await client.ping({ select: false, abort_signal: AbortSignal.timeout(pingMs) })).success;
    } catch {
      ok = false;
    }
    down = !ok;
    return ok;
  }
  async function admit(what: string): Promise<void> {
    if (!down) return;
    const t = Date.now();
    if (probe === undefined || t - probe.at >= 1000) probe = { at: t, ok: ping() };
    if (!(await probe.ok)) {
      throw new AppError('COL_ERR_STORAGE_UNREACHABLE', `${what}: ClickHouse does not answer a ping within ${pingMs} ms`, { retryAfterS: DOWN_RETRY_AFTER_S });
    }
  }
  async function guarded<T>(ms: number, what: string, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
    await admit(what);
    try {
      return await withDeadline(ms, what, f);
    } catch (err: unknown) {
      if (err instanceof AppError && err.code === 'COL_ERR_STORAGE_UNREACHABLE') {
        down = true;
        if (err.retryAfterS === undefined) throw new AppError(err.code, err.message, { cause: err, retryAfterS: DOWN_RETRY_AFTER_S });
      }
      throw err;
    }
  }

  return {
    database: o.database,
    query<T>(q: SqlFragment, settings?: Record<string, number | string>): Promise<T[]> {
      return guarded(deadlineOf(settings, requestMs), 'query failed', async (abort_signal) => {
        const rs = await client.query({
          query: q.text,
          format: 'JSONEachRow',
          abort_signal,
          ...(settings === undefined ? {} : { clickhouse_settings: settings }),
        });
        return await rs.json<T>();
      });
    },
    async command(q: SqlFragment, settings?: Record<string, number | string>): Promise<void> {
      await guarded(requestMs, 'command failed', (abort_signal) =>
        client.command({ query: q.text, abort_signal, ...(settings === undefined ? {} : { clickhouse_settings: settings }) }),
      );
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
      if (rows.length === 0) return;
      await guarded(requestMs, `insert into ${table} failed`, (abort_signal) =>
        client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow', abort_signal }),
      );
    },
    async insertJsonLines(table: string, text: string | Buffer | readonly Buffer[]): Promise<void> {
      if (text.length === 0) return;
      if (!PLAIN_TABLE.test(table)) throw new AppError('COL_ERR_STORAGE_QUERY', `not a table name: ${JSON.stringify(table)}`);
      if (typeof text !== 'string') {
        // The bytes as the body, untouched (no copy into a statement string); the statement in the URL.
        await guarded(requestMs, `insert into ${table} failed`, async (abort_signal) => {
          const r = await client.exec({
            query: `INSERT INTO ${table} FORMAT JSONEachRow`,
            values: Readable.from(Buffer.isBuffer(text) ? [text] : text),
            abort_signal,
          });
          r.stream.destroy();
        });
        return;
      }
      // ClickHouse's HTTP interface reads the statement and then its data from the same body.
      await guarded(requestMs, `insert into ${table} failed`, (abort_signal) =>
        client.command({ query: `INSERT INTO ${table} FORMAT JSONEachRow\n${text}`, abort_signal }),
      );
    },
    ping,
    close: () => client.close(),
  };
}

/** Creates the database if missing (a client without a default database does it). */
export async function ensureDatabase(o: StorageOptions): Promise<void> {
  const admin = makeClient(o, undefined);
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${o.database}` });
  } catch (err: unknown) {
    throw wrap(err, `creating database ${o.database}`);
  } finally {
    await admin.close();
  }
}
