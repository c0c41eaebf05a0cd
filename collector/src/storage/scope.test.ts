import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Storage } from './clickhouse.js';
import { scoped } from './scope.js';
import { raw, sql } from './sql.js';

function fakeStorage(seen: string[]): Storage {
  return {
    database: 'd',
    query: <T>(q: { text: string }) => {
      seen.push(q.text);
      return Promise.resolve([] as T[]);
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
});
