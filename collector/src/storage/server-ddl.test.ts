import { describe, expect, it } from 'vitest';
import { DIMENSIONS_SETTING, nonNullStates, serverDdlFor, withTableSetting } from './server-ddl.js';

const TABLE = `CREATE TABLE IF NOT EXISTS gpu_1m (
  tenant String, gpu_uuid String, t DateTime('UTC'), gpu_index UInt16,
  util_avg AggregateFunction(avg, Float32)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, gpu_uuid, t)`;
const VIEW = `CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_1m_mv TO gpu_1m AS
SELECT tenant, gpu_uuid, toStartOfMinute(ts) AS t, any(gpu_index) AS gpu_index, avgState(util_ratio) AS util_avg,
  maxState(temp_celsius) AS temp_max, countState() AS samples, uniqExactState(toStartOfMinute(ts)) AS minutes,
  countIfState(toUInt8(kind = 'job_end')) AS jobs
FROM gpu_samples GROUP BY tenant, gpu_uuid, t`;
const ALL = { dimensionsSetting: true, nullableStates: true, joinAliasSetting: true };
const NONE = { dimensionsSetting: false, nullableStates: false, joinAliasSetting: false };

describe('server-ddl: migration statements as a newer ClickHouse needs them', () => {
  it('18.16 (no adaptation known) gets every statement unchanged and no settings', () => {
    const ddl = serverDdlFor(NONE);
    expect(ddl.adapt(TABLE)).toBe(TABLE);
    expect(ddl.adapt(VIEW)).toBe(VIEW);
    expect(ddl.settings).toEqual({});
  });

  it('an AggregatingMergeTree table gets allow_dimensions_outside_sorting_key; a view, a plain MergeTree and an ALTER do not', () => {
    const ddl = serverDdlFor(ALL);
    expect(ddl.adapt(TABLE)).toBe(`${TABLE}\nSETTINGS ${DIMENSIONS_SETTING} = 1`);
    expect(ddl.adapt(TABLE.replace('AggregatingMergeTree()', "ReplicatedAggregatingMergeTree('/p', 'r')"))).toContain(`SETTINGS ${DIMENSIONS_SETTING} = 1`);
    const plain = TABLE.replace('AggregatingMergeTree()', 'MergeTree()');
    expect(ddl.adapt(plain)).toBe(plain);
    const alter = 'ALTER TABLE gpu_1m ADD COLUMN x AggregateFunction(avg, Float32)';
    expect(ddl.adapt(alter)).toBe(alter);
  });

  it('joins an existing SETTINGS clause instead of adding a second one', () => {
    expect(withTableSetting(`${TABLE}\nSETTINGS index_granularity = 8192;`, 'x')).toBe(`${TABLE}\nSETTINGS index_granularity = 8192, x = 1`);
  });

  it("a view's one-column states skip NULLs with -If, typed as 18.16 typed them; states of expressions and counts stay", () => {
    const out = nonNullStates(VIEW);
    expect(out).toContain('avgStateIf(assumeNotNull(util_ratio), isNotNull(util_ratio)) AS util_avg');
    expect(out).toContain('maxStateIf(assumeNotNull(temp_celsius), isNotNull(temp_celsius)) AS temp_max');
    expect(out).toContain('countState() AS samples');
    expect(out).toContain('uniqExactState(toStartOfMinute(ts)) AS minutes');
    expect(out).toContain("countIfState(toUInt8(kind = 'job_end')) AS jobs");
    // only views: a table's column types are not rewritten
    expect(serverDdlFor(ALL).adapt(VIEW)).toBe(out);
    expect(serverDdlFor({ ...NONE, nullableStates: true }).adapt(TABLE)).toBe(TABLE);
  });

  it('sends joined_subquery_requires_alias = 0 with DDL where the server knows the setting', () => {
    expect(serverDdlFor({ ...NONE, joinAliasSetting: true }).settings).toEqual({ joined_subquery_requires_alias: 0 });
  });
});
