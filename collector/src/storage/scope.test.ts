import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Storage } from './clickhouse.js';
import { scoped } from './scope.js';
import { raw, sql } from './sql.js';

function fakeStorage(seen: string[], settingsSeen: unknown[] = [], fail?: Error): Storage {
  return {
    database: 'd',
    query: <T>(q: { text: string }, settings?: unknown) => {
      seen.push(q.text);
      settingsSeen.push(settings);
      return fail === undefined ? Promise.resolve([] as T[]) : Promise.reject(fail);
    },
    command: () => Promise.resolve(),
    insertJsonLines: () => Promise.resolve(),
    insert: () => Promise.resolve(),
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

describe('scoped', () => {
  it('wraps a table in a subquery filtered by the escaped tenant', async () => {
    const seen: string[] = [];
    const s = scoped(fakeStorage(seen), "t'1");
    await s.query(sql`SELECT count() FROM ${s.rows('gpu_1m', sql`host = ${'h'}`)}`);
    expect(seen).toEqual(["SELECT count() FROM (SELECT * FROM gpu_1m WHERE tenant = 't\\'1' AND (host = 'h'))"]);
  });

  it('refuses a query without the tenant filter, and a non-identifier table', async () => {
    const s = scoped(fakeStorage([]), 'a');
    await expect(s.query(raw('SELECT * FROM gpu_samples'))).rejects.toMatchObject({ code: 'COL_ERR_INTERNAL_UNSCOPED_QUERY' });
    expect(() => s.rows('gpu_samples; DROP TABLE x')).toThrow(/identifier/);
  });

  it('every query module names its tables only through scope.rows (no bare FROM/JOIN of a table)', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'queries');
    const offenders: string[] = [];
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts'))) {
      const code = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l))
        .join('\n');
      for (const m of code.matchAll(/(?<!ARRAY )\b(FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)\b/g)) offenders.push(`${f}: ${m[0]}`);
    }
    expect(offenders).toEqual([]);
  });

  it('adds FINAL and PREWHERE only when asked, in that order before WHERE', () => {
    const s = scoped(fakeStorage([]), 't');
    expect(s.rows('a').text).toBe("(SELECT * FROM a WHERE tenant = 't')");
    expect(s.rows('a', undefined, { final: true }).text).toBe("(SELECT * FROM a FINAL WHERE tenant = 't')");
    expect(s.rows('a', undefined, { final: false }).text).toBe("(SELECT * FROM a WHERE tenant = 't')");
    expect(s.rows('a', sql`x = 1`, { final: true, prewhere: sql`host = ${'h'}` }).text).toBe(
      "(SELECT * FROM a FINAL PREWHERE host = 'h' WHERE tenant = 't' AND (x = 1))",
    );
  });

  it('runs each query with the max_execution_time of its guards (10 s unless given)', async () => {
    const settings: unknown[] = [];
    const s = scoped(fakeStorage([], settings), 't');
    await s.query(sql`SELECT 1 FROM ${s.rows('a')}`);
    const g = scoped(fakeStorage([], settings), 't', { maxExecutionS: 3 });
    await g.query(sql`SELECT 1 FROM ${g.rows('a')}`);
    expect(settings).toEqual([{ max_execution_time: 10 }, { max_execution_time: 3 }]);
  });

  it('turns a ClickHouse TIMEOUT_EXCEEDED into COL_ERR_API_QUERY_TOO_EXPENSIVE and passes any other failure through', async () => {
    const timeout = new Error('Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 3.001 seconds, maximum: 3, e.what() = DB::Exception');
    const s = scoped(fakeStorage([], [], timeout), 't', { maxExecutionS: 3 });
    const err = await s.query(sql`SELECT 1 FROM ${s.rows('a')}`).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'COL_ERR_API_QUERY_TOO_EXPENSIVE',
      message: 'the query took too long: the query ran longer than 3 s; narrow the range or add filters',
    });
    expect((err as Error).cause).toBe(timeout);
    const other = new Error("Code: 60, e.displayText() = DB::Exception: Table d.a doesn't exist., e.what() = DB::Exception");
    const o = scoped(fakeStorage([], [], other), 't');
    await expect(o.query(sql`SELECT 1 FROM ${o.rows('a')}`)).rejects.toBe(other);
  });
});
