-- /api/v1/cost from sums. 0011 kept per GPU-hour first/last/min/max energy counter readings and
-- /cost counted distinct minutes with samples (gpu_1h): both need per-hour states merged and ordered
-- at query time (1.15 M hours per 30 days at 200 hosts x 8 GPUs: 6 s). Now the agent sends on each
-- GPU sample what it stands for: `interval_ms` (time since the GPU's previous sample, at most 3
-- sampling intervals; the interval on the first) and `energy_delta_joules` (the counter's increase,
-- or its new reading after a reset). Sums need no order, so they roll up per hour and per day (sum
-- states): a 30-day window reads ~48 k daily rows plus the hours of its two partial days.
--
-- Rows: per GPU (gpu_uuid set, jobs = 0) from gpu_samples; per host and GPU index (gpu_uuid '',
-- gpu_index 65535 when the job named no GPU) from job_end events.
--
-- History from before this migration is copied from the rollups /cost read before into
-- gpu_cost_history_1h/1d, ReplacingMergeTree tables with plain columns read with FINAL: copying again
-- (two collectors migrating at once, or a run stopped before it was recorded) writes the same rows
-- for the same keys, which FINAL counts once, where a second sum would double. Kept apart from the
-- views' sum states so that an install without history pays nothing for it at query time.
ALTER TABLE gpu_samples ADD COLUMN interval_ms Nullable(UInt32);

ALTER TABLE gpu_samples ADD COLUMN energy_delta_joules Nullable(Float64);

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

-- Backfill, after the views exist (a collector migrates before it listens, so nothing is inserted
-- between the two). The hours before the one this migration runs in, from the rollups /cost read
-- before: GPU-hours as minutes with samples x 60 s, energy as each hour's own counter increase (last -
-- first, or max - first + last across a reset; the step between one hour's last and the next hour's
-- first reading, one sampling interval per hour, is not carried over), jobs and images from jobs_1h.
-- The hour the migration runs in counts only what arrives after it. Each day of the daily history is
-- the sum of its hours.
INSERT INTO gpu_cost_history_1h
SELECT tenant, t, host, gpu_index, gpu_uuid, gpu_name, sampled_ms, energy_joules, energy_samples, toUInt64(0) AS jobs, toUInt64(0) AS images
FROM (
  SELECT tenant, t, host, gpu_uuid, any(gpu_index) AS gpu_index, any(gpu_name) AS gpu_name, toUInt64(uniqExactMerge(minutes) * 60000) AS sampled_ms
  FROM gpu_1h
  WHERE t < toStartOfHour(now())
  GROUP BY tenant, t, host, gpu_uuid
) ANY LEFT JOIN (
  SELECT tenant, t, host, gpu_uuid,
    if(mn < f OR mx > l, mx - f + l, l - f) AS energy_joules, toUInt64(1) AS energy_samples
  FROM (
    SELECT tenant, t, host, gpu_uuid, argMinMerge(e_first) AS f, argMaxMerge(e_last) AS l, minMerge(e_min) AS mn, maxMerge(e_max) AS mx
    FROM gpu_energy_1h
    WHERE t < toStartOfHour(now())
    GROUP BY tenant, t, host, gpu_uuid)
) USING (tenant, t, host, gpu_uuid);

INSERT INTO gpu_cost_history_1h
SELECT tenant, t, host, gpu_index, '' AS gpu_uuid, '' AS gpu_name, toUInt64(0) AS sampled_ms, toFloat64(0) AS energy_joules,
  toUInt64(0) AS energy_samples, j AS jobs, i AS images
FROM (
  SELECT tenant, t, host, gpu_index, toUInt64(countIfMerge(jobs)) AS j, toUInt64(sumIfMerge(images)) AS i
  FROM jobs_1h
  WHERE t < toStartOfHour(now())
  GROUP BY tenant, t, host, gpu_index
  HAVING j > 0
);

INSERT INTO gpu_cost_history_1d
SELECT tenant, toStartOfDay(t) AS day, host, gpu_index, gpu_uuid, any(gpu_name) AS name,
  sum(sampled_ms) AS m, sum(energy_joules) AS e, sum(energy_samples) AS n, sum(jobs) AS j, sum(images) AS i
FROM gpu_cost_history_1h FINAL
GROUP BY tenant, day, host, gpu_index, gpu_uuid;

-- /cost no longer reads the counter readings: their view stops costing every insert. The table stays
-- (a rerun of this migration reads it) and ages out with the 1-hour rollups.
DROP TABLE IF EXISTS gpu_energy_1h_mv;
