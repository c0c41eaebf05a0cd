// What the real ClickHouse (Debian 18.16 here) answers, typed by collector/src/storage/clickhouse-errors.ts
// and turned into the collector's codes by the callers that branch on the type.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { clickHouseErrorOf } from '../src/storage/clickhouse-errors.js';
import { createStorage, ensureDatabase, type Storage } from '../src/storage/clickhouse.js';
import { scoped } from '../src/storage/scope.js';
import { raw } from '../src/storage/sql.js';

const DB = `rw_ch_errors_${process.pid}`;
let storage: Storage;

beforeAll(async () => {
  const o = { url: inject('clickhouseUrl'), database: DB, username: 'default', password: '' };
  await ensureDatabase(o);
  storage = createStorage(o);
});

afterAll(async () => {
  await storage.command(raw(`DROP DATABASE IF EXISTS ${DB}`));
  await storage.close();
});

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('ClickHouse errors by type', () => {
  it('an unknown table is COL_ERR_STORAGE_QUERY caused by UNKNOWN_TABLE (code 60)', async () => {
    const err = await failure(storage.query(raw('SELECT * FROM no_such_table')));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('COL_ERR_STORAGE_QUERY');
    expect([clickHouseErrorOf(err)?.code, clickHouseErrorOf(err)?.type]).toEqual([60, 'UNKNOWN_TABLE']);
  });

  it('a scoped query over its max_execution_time is COL_ERR_API_QUERY_TOO_EXPENSIVE (TIMEOUT_EXCEEDED, code 159)', async () => {
    const s = scoped(storage, 't1', { maxExecutionS: 1 });
    const err = await failure(s.query(raw("SELECT count() FROM (SELECT 't1' AS tenant, number FROM system.numbers LIMIT 100000000000) WHERE tenant = 't1'")));
    expect((err as AppError).code).toBe('COL_ERR_API_QUERY_TOO_EXPENSIVE');
    expect(clickHouseErrorOf(err)?.type).toBe('TIMEOUT_EXCEEDED');
  });

  it('a port nobody listens on is COL_ERR_STORAGE_UNREACHABLE (ECONNREFUSED), not a server error', async () => {
    const nobody = createStorage({ url: 'http://127.0.0.1:1', database: DB, username: 'default', password: '' });
    const err = await failure(nobody.query(raw('SELECT 1')));
    expect((err as AppError).code).toBe('COL_ERR_STORAGE_UNREACHABLE');
    expect(clickHouseErrorOf(err)).toBeUndefined();
    await nobody.close();
  });
});
