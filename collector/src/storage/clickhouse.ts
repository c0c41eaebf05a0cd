import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { AppError } from '../errors.js';
import type { SqlFragment } from './sql.js';

export interface StorageOptions {
  url: string;
  database: string;
  username: string;
  password: string;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
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
  command(q: SqlFragment): Promise<void>;
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * Inserts rows already serialized as JSONEachRow lines (the ingest hot path builds them once,
   * instead of row objects the client would stringify again). Only `table` (a plain identifier) is
   * SQL; ClickHouse reads the text after `FORMAT JSONEachRow` with its JSON parser, never as SQL.
   */
  insertJsonLines(table: string, text: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const PLAIN_TABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function wrap(err: unknown, what: string): AppError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|Timeout error|timed out/i.test(msg)) {
    return new AppError('COL_ERR_STORAGE_UNREACHABLE', `${what}: ${msg}`, { cause: err });
  }
  return new AppError('COL_ERR_STORAGE_QUERY', `${what}: ${msg.split('\n')[0] ?? msg}`, { cause: err });
}

function makeClient(o: StorageOptions, database: string | undefined): ClickHouseClient {
  return createClient({
    url: o.url,
    username: o.username,
    password: o.password,
    ...(database === undefined ? {} : { database }),
    request_timeout: o.requestTimeoutMs ?? 30_000,
    compression: { request: false, response: false },
    max_open_connections: 32,
    clickhouse_settings: { ...o.settings },
  });
}

export function createStorage(o: StorageOptions): Storage {
  const client = makeClient(o, o.database);
  return {
    database: o.database,
    async query<T>(q: SqlFragment, settings?: Record<string, number | string>): Promise<T[]> {
      try {
        const rs = await client.query({ query: q.text, format: 'JSONEachRow', ...(settings === undefined ? {} : { clickhouse_settings: settings }) });
        return await rs.json<T>();
      } catch (err: unknown) {
        throw wrap(err, 'query failed');
      }
    },
    async command(q: SqlFragment): Promise<void> {
      try {
        await client.command({ query: q.text });
      } catch (err: unknown) {
        throw wrap(err, 'command failed');
      }
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
      } catch (err: unknown) {
        throw wrap(err, `insert into ${table} failed`);
      }
    },
    async insertJsonLines(table: string, text: string): Promise<void> {
      if (text === '') return;
      if (!PLAIN_TABLE.test(table)) throw new AppError('COL_ERR_STORAGE_QUERY', `not a table name: ${JSON.stringify(table)}`);
      try {
        // ClickHouse's HTTP interface reads the statement and then its data from the same body.
        await client.command({ query: `INSERT INTO ${table} FORMAT JSONEachRow\n${text}` });
      } catch (err: unknown) {
        throw wrap(err, `insert into ${table} failed`);
      }
    },
    async ping(): Promise<boolean> {
      const r = await client.ping();
      return r.success;
    },
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
