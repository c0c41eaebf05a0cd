import { parseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { clickHouseErrorOf, isClickHouseError, isNetworkError } from './clickhouse-errors.js';

// Answers of Debian's ClickHouse 18.16 (as the client hands them over: a plain Error), and of a
// current server in the format @clickhouse/client's parseError documents, cluster-wrapped included.
const V18 = {
  unknownTable: "Code: 60, e.displayText() = DB::Exception: Table rw_x.nope doesn't exist., e.what() = DB::Exception\n",
  timeout: 'Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 1.008 seconds, maximum: 1, e.what() = DB::Exception\n',
  columnExists: 'Code: 44, e.displayText() = DB::Exception: Cannot add column a: column with this name already exists, e.what() = DB::Exception\n',
};
const CURRENT = {
  unknownTable:
    "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))",
  clusterExists:
    'Code: 57. DB::Exception: There was an error on [ch1:9000]: Code: 57. DB::Exception: Table default.t already exists. (TABLE_ALREADY_EXISTS) (version 24.8.1). (TABLE_ALREADY_EXISTS) (version 24.8.1)',
};

describe('clickHouseErrorOf', () => {
  it('reads the code, type and text of an 18.16 answer', () => {
    const e = clickHouseErrorOf(new Error(V18.unknownTable));
    expect([e?.code, e?.type, e?.message]).toEqual([60, 'UNKNOWN_TABLE', "Table rw_x.nope doesn't exist."]);
    expect(clickHouseErrorOf(new Error(V18.timeout))?.type).toBe('TIMEOUT_EXCEEDED');
    expect(clickHouseErrorOf(new Error(V18.columnExists))?.code).toBe(44);
  });

  it("reads a current server's answer, and the innermost code of a cluster-wrapped one", () => {
    const e = clickHouseErrorOf(new Error(CURRENT.unknownTable));
    expect([e?.code, e?.type, e?.message]).toEqual([60, 'UNKNOWN_TABLE', "Unknown table expression identifier 'nope' in scope SELECT * FROM nope."]);
    const c = clickHouseErrorOf(new Error(CURRENT.clusterExists));
    expect([c?.code, c?.type, c?.message]).toEqual([57, 'TABLE_ALREADY_EXISTS', 'Table default.t already exists.']);
  });

  it("reads a current server's answer as the client hands it over (its ClickHouseError: code parsed out, text without it)", () => {
    // what @clickhouse/client makes of the response body (its own parser); e2e/src/current-clickhouse.int.test.ts
    // and collector/test/clickhouse-errors.int.test.ts see the same from ClickHouse 26.7
    const fromClient = parseError(CURRENT.unknownTable);
    expect(fromClient.message).not.toContain('Code: 60');
    const e = clickHouseErrorOf(new AppError('COL_ERR_STORAGE_QUERY', 'query failed', { cause: fromClient }));
    expect([e?.code, e?.type]).toEqual([60, 'UNKNOWN_TABLE']);
    const timeout = parseError('Code: 159. DB::Exception: Timeout exceeded: elapsed 1.00 sec., maximum: 1. (TIMEOUT_EXCEEDED) (version 26.7.2.1)');
    expect(isClickHouseError(timeout, 'TIMEOUT_EXCEEDED')).toBe(true);
  });

  it('finds the answer in the cause chain (the collector wraps it in an AppError) and types unknown codes OTHER', () => {
    const wrapped = new AppError('COL_ERR_STORAGE_QUERY', 'query failed', { cause: new Error(V18.timeout) });
    expect(isClickHouseError(wrapped, 'TIMEOUT_EXCEEDED')).toBe(true);
    expect(isClickHouseError(wrapped, 'UNKNOWN_TABLE', 'SYNTAX_ERROR')).toBe(false);
    expect(clickHouseErrorOf(new Error('Code: 999, e.displayText() = DB::Exception: new, e.what() = DB::Exception'))?.type).toBe('OTHER');
  });

  it('is undefined for what the server did not answer, even when the text talks about a timeout', () => {
    expect(clickHouseErrorOf(new Error('Timeout error.'))).toBeUndefined();
    expect(clickHouseErrorOf(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBeUndefined();
    expect(clickHouseErrorOf('Code: 60, e.displayText() = DB::Exception: x')).toBeUndefined(); // not an Error
    expect(isClickHouseError(new Error('TIMEOUT_EXCEEDED code: 159'), 'TIMEOUT_EXCEEDED')).toBe(false);
  });
});

describe('isNetworkError', () => {
  it('goes by the system error code, in the error or its causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isNetworkError(refused)).toBe(true);
    expect(isNetworkError(new AppError('COL_ERR_STORAGE_QUERY', 'x', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }))).toBe(
      true,
    );
    expect(isNetworkError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe(false); // text only
    expect(isNetworkError(new Error(V18.unknownTable))).toBe(false);
  });
});
