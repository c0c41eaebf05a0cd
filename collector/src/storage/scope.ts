// Tenant-scoped query building: the only way route queries reach ClickHouse. A query names its
// tables through `scope.rows(table, where)`, which always yields `(SELECT * FROM table WHERE
// tenant = <tenant> AND ...)`; scope.test.ts checks that no query file names a table any other way.
import { AppError } from '../errors.js';
import type { Storage } from './clickhouse.js';
import { isClickHouseError } from './clickhouse-errors.js';
import { ident, quoteString, raw, SqlFragment, sql } from './sql.js';

export interface QueryGuards {
  /** Server-side limit per query, seconds (ClickHouse `max_execution_time`). */
  maxExecutionS: number;
}

export interface TenantScope {
  readonly tenant: string;
  /**
   * `(SELECT * FROM <table> [PREWHERE <prewhere>] WHERE tenant = <tenant> AND (<where>))`; ClickHouse
   * prunes unused columns. `prewhere` (e.g. `host = ...` on a table sorted by host) is read first, so
   * the wide or aggregate-state columns are read only where it holds.
   */
  rows(table: string, where?: SqlFragment, opts?: { final?: boolean; prewhere?: SqlFragment }): SqlFragment;
  query<T>(q: SqlFragment): Promise<T[]>;
}

export function scoped(storage: Storage, tenant: string, guards: QueryGuards = { maxExecutionS: 10 }): TenantScope {
  const tenantLiteral = quoteString(tenant);
  return {
    tenant,
    rows(table, where, opts) {
      const cond = where === undefined ? raw('') : sql` AND (${where})`;
      const final = opts?.final === true ? raw(' FINAL') : raw('');
      const pre = opts?.prewhere === undefined ? raw('') : sql` PREWHERE ${opts.prewhere}`;
      return sql`(SELECT * FROM ${ident(table)}${final}${pre} WHERE tenant = ${tenant}${cond})`;
    },
    async query<T>(q: SqlFragment): Promise<T[]> {
      // Defence in depth: a scoped query that does not carry the tenant literal is a bug.
      if (!q.text.includes(`tenant = ${tenantLiteral}`)) throw new AppError('COL_ERR_INTERNAL_UNSCOPED_QUERY');
      try {
        return await storage.query<T>(q, { max_execution_time: guards.maxExecutionS });
      } catch (err: unknown) {
        if (isClickHouseError(err, 'TIMEOUT_EXCEEDED')) {
          throw new AppError('COL_ERR_API_QUERY_TOO_EXPENSIVE', `the query ran longer than ${guards.maxExecutionS} s; narrow the range or add filters`, {
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}

export { SqlFragment };
