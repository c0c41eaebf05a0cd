-- Repair of 0012_gpu_cost as edited the first time (commit 8796c5e, checksum b55da37dedb90f1c). That
-- version kept the history from before 0012 in backfill_* max states beside the views' sum states in
-- gpu_cost_1h/1d; the second edit (commit 448dd59) moved it to gpu_cost_history_1h/1d, which
-- /api/v1/cost reads today, and dropped the backfill_* columns. Run once by migrate()
-- (collector/src/storage/migrate.ts) on a database that ran that version only; see docs/storage.md
-- "Migrations that were edited after they shipped".
--
-- The history moves to the history tables (only keys with a backfill value: the views write a max of
-- 0), the views are made again without the backfill_* columns, and the columns are dropped. Not
-- re-runnable past the first DROP COLUMN: a repair that fails stops the collector naming the statement.
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

INSERT INTO gpu_cost_history_1h
SELECT tenant, t, host, gpu_index, gpu_uuid, gpu_name, m, e, n, j, i
FROM (
  SELECT tenant, t, host, gpu_index, gpu_uuid, any(gpu_name) AS gpu_name,
    maxMerge(backfill_sampled_ms) AS m, maxMerge(backfill_energy_joules) AS e, maxMerge(backfill_energy_samples) AS n,
    maxMerge(backfill_jobs) AS j, maxMerge(backfill_images) AS i
  FROM gpu_cost_1h
  GROUP BY tenant, t, host, gpu_index, gpu_uuid
)
WHERE m > 0 OR e > 0 OR n > 0 OR j > 0 OR i > 0;

INSERT INTO gpu_cost_history_1d
SELECT tenant, t, host, gpu_index, gpu_uuid, gpu_name, m, e, n, j, i
FROM (
  SELECT tenant, t, host, gpu_index, gpu_uuid, any(gpu_name) AS gpu_name,
    maxMerge(backfill_sampled_ms) AS m, maxMerge(backfill_energy_joules) AS e, maxMerge(backfill_energy_samples) AS n,
    maxMerge(backfill_jobs) AS j, maxMerge(backfill_images) AS i
  FROM gpu_cost_1d
  GROUP BY tenant, t, host, gpu_index, gpu_uuid
)
WHERE m > 0 OR e > 0 OR n > 0 OR j > 0 OR i > 0;

DROP TABLE IF EXISTS gpu_cost_1h_mv;

DROP TABLE IF EXISTS gpu_cost_1d_mv;

DROP TABLE IF EXISTS gpu_cost_jobs_1h_mv;

DROP TABLE IF EXISTS gpu_cost_jobs_1d_mv;

ALTER TABLE gpu_cost_1h DROP COLUMN backfill_sampled_ms;

ALTER TABLE gpu_cost_1h DROP COLUMN backfill_energy_joules;

ALTER TABLE gpu_cost_1h DROP COLUMN backfill_energy_samples;

ALTER TABLE gpu_cost_1h DROP COLUMN backfill_jobs;

ALTER TABLE gpu_cost_1h DROP COLUMN backfill_images;

ALTER TABLE gpu_cost_1d DROP COLUMN backfill_sampled_ms;

ALTER TABLE gpu_cost_1d DROP COLUMN backfill_energy_joules;

ALTER TABLE gpu_cost_1d DROP COLUMN backfill_energy_samples;

ALTER TABLE gpu_cost_1d DROP COLUMN backfill_jobs;

ALTER TABLE gpu_cost_1d DROP COLUMN backfill_images;

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
