-- Repair of 0012_gpu_cost as first shipped (commit 909e05b, checksum 432ecd2367afccd1). That version
-- kept gpu_cost_1h/1d as SummingMergeTree tables of plain sums, filled by its backfill and its views,
-- and dropped gpu_energy_1h. It was edited twice afterwards (commits 8796c5e and 448dd59): today the
-- views write sum states into AggregatingMergeTree tables and the history from before 0012 lives in
-- gpu_cost_history_1h/1d (ReplacingMergeTree, read with FINAL). /api/v1/cost cannot read the first
-- version's tables. Run once by migrate() (collector/src/storage/migrate.ts) on a database that ran
-- that version only; see docs/storage.md "Migrations that were edited after they shipped".
--
-- Everything the first version's tables hold (its backfill and what its views counted since) moves to
-- the history tables, one row per key (a SummingMergeTree key may still be split over parts: summed
-- here); the rollup tables are then made as 0012 makes them today and count from here on. /cost adds
-- the history and the rollups, so no hour is lost or counted twice. Not re-runnable past the DROP of
-- the old tables: a repair that fails stops the collector naming the statement.
CREATE TABLE IF NOT EXISTS gpu_cost_history_1h (
  tenant String,
  t DateTime('UTC'),
  host String,
  gpu_index UInt16,
  gpu_uuid String,
  gpu_name String,
  sampled_ms UInt64,
  energy_joules Float64,
  energy_samples UInt64,
  jobs UInt64,
  images UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, gpu_uuid);

CREATE TABLE IF NOT EXISTS gpu_cost_history_1d (
  tenant String,
  t DateTime('UTC'),
  host String,
  gpu_index UInt16,
  gpu_uuid String,
  gpu_name String,
  sampled_ms UInt64,
  energy_joules Float64,
  energy_samples UInt64,
  jobs UInt64,
  images UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, gpu_uuid);

DROP TABLE IF EXISTS gpu_cost_1h_mv;

DROP TABLE IF EXISTS gpu_cost_1d_mv;

DROP TABLE IF EXISTS gpu_cost_jobs_1h_mv;

DROP TABLE IF EXISTS gpu_cost_jobs_1d_mv;

INSERT INTO gpu_cost_history_1h
SELECT tenant, t, host, gpu_index, gpu_uuid, any(gpu_name) AS name,
  sum(sampled_ms) AS m, sum(energy_joules) AS e, sum(energy_samples) AS n, sum(jobs) AS j, sum(images) AS i
FROM gpu_cost_1h
GROUP BY tenant, t, host, gpu_index, gpu_uuid;

INSERT INTO gpu_cost_history_1d
SELECT tenant, t, host, gpu_index, gpu_uuid, any(gpu_name) AS name,
  sum(sampled_ms) AS m, sum(energy_joules) AS e, sum(energy_samples) AS n, sum(jobs) AS j, sum(images) AS i
FROM gpu_cost_1d
GROUP BY tenant, t, host, gpu_index, gpu_uuid;

DROP TABLE IF EXISTS gpu_cost_1h;

DROP TABLE IF EXISTS gpu_cost_1d;

CREATE TABLE IF NOT EXISTS gpu_cost_1h (
  tenant String,
  t DateTime('UTC'),
  host String,
  gpu_index UInt16,
  gpu_uuid String,
  gpu_name String,
  sampled_ms AggregateFunction(sum, UInt64),
  energy_joules AggregateFunction(sum, Float64),
  energy_samples AggregateFunction(sum, UInt64),
  jobs AggregateFunction(sum, UInt64),
  images AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, gpu_uuid);

CREATE TABLE IF NOT EXISTS gpu_cost_1d (
  tenant String,
  t DateTime('UTC'),
  host String,
  gpu_index UInt16,
  gpu_uuid String,
  gpu_name String,
  sampled_ms AggregateFunction(sum, UInt64),
  energy_joules AggregateFunction(sum, Float64),
  energy_samples AggregateFunction(sum, UInt64),
  jobs AggregateFunction(sum, UInt64),
  images AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, gpu_uuid);

-- One view per table and source: ClickHouse 18.16 does not run a view on rows another view writes,
-- so the daily table cannot be filled from the hourly one.
CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_cost_1h_mv TO gpu_cost_1h AS
SELECT tenant, toStartOfHour(ts) AS t, host, gpu_index, gpu_uuid, any(gpu_name) AS gpu_name,
  sumState(toUInt64(ifNull(interval_ms, 0))) AS sampled_ms,
  sumState(ifNull(energy_delta_joules, 0)) AS energy_joules,
  sumState(toUInt64(isNotNull(energy_delta_joules))) AS energy_samples,
  sumState(toUInt64(0)) AS jobs, sumState(toUInt64(0)) AS images
FROM gpu_samples
GROUP BY tenant, t, host, gpu_index, gpu_uuid;

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_cost_1d_mv TO gpu_cost_1d AS
SELECT tenant, toStartOfDay(ts) AS t, host, gpu_index, gpu_uuid, any(gpu_name) AS gpu_name,
  sumState(toUInt64(ifNull(interval_ms, 0))) AS sampled_ms,
  sumState(ifNull(energy_delta_joules, 0)) AS energy_joules,
  sumState(toUInt64(isNotNull(energy_delta_joules))) AS energy_samples,
  sumState(toUInt64(0)) AS jobs, sumState(toUInt64(0)) AS images
FROM gpu_samples
GROUP BY tenant, t, host, gpu_index, gpu_uuid;

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_cost_jobs_1h_mv TO gpu_cost_1h AS
SELECT tenant, toStartOfHour(ts) AS t, host, ifNull(gpu_index, 65535) AS gpu_index, '' AS gpu_uuid, '' AS gpu_name,
  sumState(toUInt64(0)) AS sampled_ms, sumState(toFloat64(0)) AS energy_joules, sumState(toUInt64(0)) AS energy_samples,
  sumState(toUInt64(1)) AS jobs, sumState(toUInt64(ifNull(images, 0))) AS images
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, t, host, gpu_index;

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_cost_jobs_1d_mv TO gpu_cost_1d AS
SELECT tenant, toStartOfDay(ts) AS t, host, ifNull(gpu_index, 65535) AS gpu_index, '' AS gpu_uuid, '' AS gpu_name,
  sumState(toUInt64(0)) AS sampled_ms, sumState(toFloat64(0)) AS energy_joules, sumState(toUInt64(0)) AS energy_samples,
  sumState(toUInt64(1)) AS jobs, sumState(toUInt64(ifNull(images, 0))) AS images
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, t, host, gpu_index;
-- 0012 today keeps gpu_energy_1h (without its view); the first version dropped it.
CREATE TABLE IF NOT EXISTS gpu_energy_1h (
  tenant String,
  host String,
  gpu_uuid String,
  t DateTime('UTC'),
  gpu_name String,
  e_min AggregateFunction(min, Float64),
  e_max AggregateFunction(max, Float64),
  e_first AggregateFunction(argMin, Float64, UInt64),
  e_last AggregateFunction(argMax, Float64, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, gpu_uuid, t);
