// What a newer ClickHouse must be told in DDL that the migration files cannot say. The files are
// written for the oldest server the collector supports (Debian's 18.16) and never change once
// shipped (their checksums are compared); a statement a current server refuses as it stands is
// adapted here, just before it runs, on the servers that need it — the way ./cluster-ddl.ts adapts
// the same files to a cluster. Each adaptation keeps the statement's meaning on 18.16 (where none
// applies) and says the same thing to the newer server (docs/storage.md "ClickHouse versions";
// e2e/src/current-clickhouse.int.test.ts runs every migration and API route on ClickHouse 26).
//
// 1. Dimensions outside the sorting key (25.x+): an AggregatingMergeTree whose plain columns are
//    neither key nor aggregate state is refused unless its `allow_dimensions_outside_sorting_key`
//    setting is on. The rollups' plain columns (gpu_index, gpu_name, …) are functions of the key
//    (the GPU's UUID), which is the case the setting is for. 18.16 has no such setting.
// 2. Aggregate states of Nullable columns: 18.16 types `avgState(x)` of a Nullable(Float32) x as
//    AggregateFunction(avg, Float32) (NULLs skipped, the plain state); newer servers type it
//    AggregateFunction(avg, Nullable(Float32)) and refuse to write it into the rollups' columns. The
//    view's `fState(x)` becomes `fStateIf(assumeNotNull(x), isNotNull(x))`: the same state of the
//    same non-NULL values, typed as 18.16 typed it (for a non-Nullable x it is the plain fState(x)).
// 3. Subqueries in a JOIN without an alias (a backfill in 0012) are refused by newer servers unless
//    `joined_subquery_requires_alias = 0`; the setting is sent with DDL where the server knows it.
import type { Storage } from './clickhouse.js';
import { raw } from './sql.js';

export const DIMENSIONS_SETTING = 'allow_dimensions_outside_sorting_key';

/** What the server said about itself (detectServerDdl). */
export interface ServerTraits {
  /** It knows the MergeTree setting `allow_dimensions_outside_sorting_key`. */
  dimensionsSetting: boolean;
  /** It types `avgState` of a Nullable column with a Nullable argument. */
  nullableStates: boolean;
  /** It knows `joined_subquery_requires_alias`. */
  joinAliasSetting: boolean;
}

/** How DDL is said to one server. */
export interface ServerDdl {
  /** The statement as this server needs it. */
  adapt(stmt: string): string;
  /** Settings to send with every DDL statement. */
  readonly settings: Readonly<Record<string, number>>;
}

/** `CREATE TABLE … ENGINE = [Replicated]AggregatingMergeTree…` (not a view). */
const AGGREGATING_TABLE = /^\s*CREATE\s+TABLE\b[\s\S]*\bENGINE\s*=\s*(Replicated)?AggregatingMergeTree\b/i;
const VIEW = /^\s*CREATE\s+MATERIALIZED\s+VIEW\b/i;
/** A one-argument state of a plain column: `avgState(util_ratio)`. */
const COLUMN_STATE = /\b(avg|min|max|sum|any|anyLast)State\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

/** Adds `name = 1` to the statement's table SETTINGS (a new clause at its end, or the existing clause's list). */
export function withTableSetting(stmt: string, name: string): string {
  const body = stmt.trimEnd().replace(/;$/, '');
  return /\bSETTINGS\b/i.test(body) ? `${body}, ${name} = 1` : `${body}\nSETTINGS ${name} = 1`;
}

/** `fState(x)` → `fStateIf(assumeNotNull(x), isNotNull(x))` (adaptation 2). */
export function nonNullStates(stmt: string): string {
  return stmt.replace(COLUMN_STATE, (_m, f: string, col: string) => `${f}StateIf(assumeNotNull(${col}), isNotNull(${col}))`);
}

export function serverDdlFor(t: ServerTraits): ServerDdl {
  return {
    adapt(stmt) {
      let s = stmt;
      if (t.dimensionsSetting && AGGREGATING_TABLE.test(s)) s = withTableSetting(s, DIMENSIONS_SETTING);
      if (t.nullableStates && VIEW.test(s)) s = nonNullStates(s);
      return s;
    },
    settings: t.joinAliasSetting ? { joined_subquery_requires_alias: 0 } : {},
  };
}

/** Asks the server which adaptations it needs (one query; 18.16 answers false to each). */
export async function detectServerDdl(storage: Storage): Promise<ServerDdl> {
  const [r] = await storage.query<{ dims: number | string; alias: number | string; state: string }>(
    raw(`SELECT (SELECT count() FROM system.merge_tree_settings WHERE name = '${DIMENSIONS_SETTING}') AS dims,
      (SELECT count() FROM system.settings WHERE name = 'joined_subquery_requires_alias') AS alias,
      toTypeName(avgState(toNullable(toFloat32(1)))) AS state`),
  );
  return serverDdlFor({
    dimensionsSetting: Number(r?.dims ?? 0) > 0,
    joinAliasSetting: Number(r?.alias ?? 0) > 0,
    nullableStates: (r?.state ?? '').includes('Nullable'),
  });
}
