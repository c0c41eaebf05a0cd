// The ingest hot path hands ClickHouse its rows as JSONEachRow bytes (a Buffer sent as the request
// body, the statement in the URL) instead of a statement string with the rows appended. Against a
// real ClickHouse: the bytes land as the same rows the string form gives, NULL where a key is left
// out, non-ASCII text intact; a line ClickHouse cannot parse fails the INSERT with a storage error
// and stores nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../errors.js';
import { createStorage, ensureDatabase, type Storage } from '../storage/clickhouse.js';
import { raw } from '../storage/sql.js';

const db = `rw_insert_bytes_${randomBytes(4).toString('hex')}`;
let s: Storage;

beforeAll(async () => {
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  s = createStorage(o);
  await s.command(raw('CREATE TABLE t (k String, v Nullable(Float64), name String) ENGINE = MergeTree ORDER BY k'));
});
afterAll(async () => {
  await s.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await s.close();
});

const lines = (rows: Record<string, unknown>[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('Storage.insertJsonLines with bytes', () => {
  it('stores the same rows as the statement-string form', async () => {
    await s.insertJsonLines(
      't',
      Buffer.from(
        lines([
          { k: 'b1', v: 1.5, name: 'GPU "ü" \\ 😀' },
          { k: 'b2', name: 'x' },
        ]),
      ),
    );
    await s.insertJsonLines(
      't',
      lines([
        { k: 's1', v: 1.5, name: 'GPU "ü" \\ 😀' },
        { k: 's2', name: 'x' },
      ]),
    );
    const rows = await s.query<{ k: string; v: number | null; name: string }>(raw('SELECT k, v, name FROM t ORDER BY k'));
    expect(rows).toEqual([
      { k: 'b1', v: 1.5, name: 'GPU "ü" \\ 😀' },
      { k: 'b2', v: null, name: 'x' },
      { k: 's1', v: 1.5, name: 'GPU "ü" \\ 😀' },
      { k: 's2', v: null, name: 'x' },
    ]);
  });

  it('sends a list of Buffers as one body, in order (the joined slab views of a group)', async () => {
    const a = lines([{ k: 'l1', v: 2, name: 'x' }]);
    const b = lines([{ k: 'l2', name: 'ÿ' }]);
    // the split falls inside a line and inside a two-byte character
    const bytes = Buffer.from(a + b);
    const cut = Buffer.byteLength(a) + 17;
    await s.insertJsonLines('t', [bytes.subarray(0, 5), bytes.subarray(5, cut), bytes.subarray(cut)]);
    const rows = await s.query<{ k: string; v: number | null; name: string }>(raw("SELECT k, v, name FROM t WHERE k LIKE 'l%' ORDER BY k"));
    expect(rows).toEqual([
      { k: 'l1', v: 2, name: 'x' },
      { k: 'l2', v: null, name: 'ÿ' },
    ]);
  });

  it('an empty Buffer sends nothing; a line ClickHouse cannot parse fails the INSERT and stores nothing', async () => {
    await s.insertJsonLines('t', Buffer.alloc(0));
    const err: unknown = await s
      .insertJsonLines('t', Buffer.from(`${lines([{ k: 'c1', name: 'ok' }])}{"k":"c2","v":"not a number"\n`))
      .catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('COL_ERR_STORAGE_QUERY');
    const n = await s.query<{ n: string | number }>(raw("SELECT count() AS n FROM t WHERE k LIKE 'c%'"));
    // a UInt64: a JSON string from 18.16, a number from servers since 25.8 (they stopped quoting 64-bit integers)
    expect(n.map((r) => Number(r.n))).toEqual([0]);
  });
});
