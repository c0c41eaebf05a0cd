-- Daily model-hash rollup for GET /api/v1/versions: per host, model and model hash and UTC day, the
-- first and last model_load (ms) and the number of loads. Over 30 days of 200 8-GPU hosts this is
-- ~28 k rows instead of ~1.15 M raw model_load events. The reader takes the whole days of a range
-- from here and the partial days at both ends from runtime_events (a day is coarser than the range).
-- Partitioned by day like runtime_events and in the same retention family (events), so both lose
-- a day at the same time.
--
-- Two load counters, because ClickHouse has no transaction across "create the view" and "copy what
-- is already stored": `loads` counts the rows the view sees (inserted after it exists), and
-- `loads_before` holds, per day, the count of the rows already stored when the backfill ran, as a
-- max state. A max does not grow when the backfill runs again over the same rows (two collectors
-- migrating at once, or a run stopped after the backfill but before it was recorded), and first/last
-- are min/max states, so a rerun doubles nothing. Readers add countMerge(loads) +
-- maxMerge(loads_before) per day (the view writes a max of 0: on 18.16 a view must fill every column
-- of its table, and 0 is neutral in a max of counts).
--
-- Order: the view first, then the backfill of every stored day, with no cut at the current hour or
-- day (rows of today stored before the view existed reach no view, and today is a whole day
-- tomorrow). Exact when nothing is inserted between the view's creation and the backfill's start: a
-- collector migrates before it listens, so this holds unless another collector is already ingesting.
-- If one is, a model_load it inserts in that gap (milliseconds) is counted by both (loads one too
-- high; first/last stay exact). Rows inserted while the backfill runs are not in its snapshot.
CREATE TABLE IF NOT EXISTS model_hashes_1d (
  tenant String,
  host String,
  model String,
  model_hash String,
  t Date,
  first_ms AggregateFunction(min, UInt64),
  last_ms AggregateFunction(max, UInt64),
  loads AggregateFunction(count),
  loads_before AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, model, model_hash, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS model_hashes_1d_mv TO model_hashes_1d AS
SELECT tenant, host, model, model_hash, toDate(ts) AS t,
  minState(toUInt64(toUInt32(ts)) * 1000 + ts_ms) AS first_ms,
  maxState(toUInt64(toUInt32(ts)) * 1000 + ts_ms) AS last_ms,
  countState() AS loads,
  maxState(toUInt64(0)) AS loads_before
FROM runtime_events
WHERE kind = 'model_load' AND model_hash != ''
GROUP BY tenant, host, model, model_hash, t;

-- Backfill: every model_load already stored, per day, into first_ms / last_ms / loads_before.
INSERT INTO model_hashes_1d (tenant, host, model, model_hash, t, first_ms, last_ms, loads_before)
SELECT tenant, host, model, model_hash, t, minState(f) AS first_ms, maxState(l) AS last_ms, maxState(n) AS loads_before
FROM (
  SELECT tenant, host, model, model_hash, toDate(ts) AS t,
    min(toUInt64(toUInt32(ts)) * 1000 + ts_ms) AS f, max(toUInt64(toUInt32(ts)) * 1000 + ts_ms) AS l, count() AS n
  FROM runtime_events
  WHERE kind = 'model_load' AND model_hash != ''
  GROUP BY tenant, host, model, model_hash, t
)
GROUP BY tenant, host, model, model_hash, t;
