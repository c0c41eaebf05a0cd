-- Repair of 0028_seconds_per_image as first shipped (commit c50ef93, checksum c2ba2c5c071d136d).
-- That version put seconds per image in a MATERIALIZED column runtime_events.seconds_per_image read
-- by the job rollups' views into a seconds_per_image_q column of jobs_1m/1h and jobs_model_1m/1h. In
-- cluster mode 18.16's Distributed runtime_events then refused every insert ("Cannot insert column
-- seconds_per_image, because it is MATERIALIZED column"). Today's 0028 rolls seconds per image up
-- into rollups of its own (jobs_per_image_1m/1h, jobs_model_per_image_1m/1h). Run once by migrate()
-- (collector/src/storage/migrate.ts) on a database that ran that version only; see docs/storage.md
-- "Migrations that were edited after they shipped".
--
-- The job views are made again as 0002 and 0008 made them, the columns are dropped, then today's
-- 0028 runs. The per-image states of that version are not carried over (at most its first hour of
-- history). Not re-runnable past the first DROP COLUMN: a repair that fails stops the collector
-- naming the statement.
DROP TABLE IF EXISTS jobs_1m_mv;

DROP TABLE IF EXISTS jobs_1h_mv;

DROP TABLE IF EXISTS jobs_model_1m_mv;

DROP TABLE IF EXISTS jobs_model_1h_mv;

ALTER TABLE jobs_1m DROP COLUMN seconds_per_image_q;

ALTER TABLE jobs_1h DROP COLUMN seconds_per_image_q;

ALTER TABLE jobs_model_1m DROP COLUMN seconds_per_image_q;

ALTER TABLE jobs_model_1h DROP COLUMN seconds_per_image_q;

ALTER TABLE runtime_events DROP COLUMN seconds_per_image;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_1m_mv TO jobs_1m AS
SELECT tenant, host, ifNull(gpu_index, 65535) AS gpu_index, runtime, model,
  ifNull(width, 0) AS width, ifNull(height, 0) AS height, toStartOfMinute(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q,
  countIfState(toUInt8(kind = 'oom')) AS ooms,
  countIfState(toUInt8(kind = 'model_load')) AS model_loads,
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_1h_mv TO jobs_1h AS
SELECT tenant, host, ifNull(gpu_index, 65535) AS gpu_index, runtime, model,
  ifNull(width, 0) AS width, ifNull(height, 0) AS height, toStartOfHour(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q,
  countIfState(toUInt8(kind = 'oom')) AS ooms,
  countIfState(toUInt8(kind = 'model_load')) AS model_loads,
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_1m_mv TO jobs_model_1m AS
SELECT tenant, runtime, model, toStartOfMinute(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, runtime, model, t;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_1h_mv TO jobs_model_1h AS
SELECT tenant, runtime, model, toStartOfHour(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, runtime, model, t;

-- Today's 0028.
CREATE TABLE IF NOT EXISTS jobs_per_image_1m (
  tenant String,
  host String,
  runtime String,
  model String,
  t DateTime('UTC'),
  seconds_per_image_q AggregateFunction(quantilesTDigest(0.5, 0.9, 0.99), Float64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, runtime, model);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_per_image_1m_mv TO jobs_per_image_1m AS
SELECT tenant, host, runtime, model, toStartOfMinute(ts) AS t,
  quantilesTDigestState(0.5, 0.9, 0.99)(ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1)) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s)
GROUP BY tenant, host, runtime, model, t;

CREATE TABLE IF NOT EXISTS jobs_per_image_1h (
  tenant String,
  host String,
  runtime String,
  model String,
  t DateTime('UTC'),
  seconds_per_image_q AggregateFunction(quantilesTDigest(0.5, 0.9, 0.99), Float64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, runtime, model);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_per_image_1h_mv TO jobs_per_image_1h AS
SELECT tenant, host, runtime, model, toStartOfHour(ts) AS t,
  quantilesTDigestState(0.5, 0.9, 0.99)(ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1)) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s)
GROUP BY tenant, host, runtime, model, t;

CREATE TABLE IF NOT EXISTS jobs_model_per_image_1m (
  tenant String,
  runtime String,
  model String,
  t DateTime('UTC'),
  seconds_per_image_q AggregateFunction(quantilesTDigest(0.5, 0.9, 0.99), Float64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, runtime, model);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_per_image_1m_mv TO jobs_model_per_image_1m AS
SELECT tenant, runtime, model, toStartOfMinute(ts) AS t,
  quantilesTDigestState(0.5, 0.9, 0.99)(ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1)) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s)
GROUP BY tenant, runtime, model, t;

CREATE TABLE IF NOT EXISTS jobs_model_per_image_1h (
  tenant String,
  runtime String,
  model String,
  t DateTime('UTC'),
  seconds_per_image_q AggregateFunction(quantilesTDigest(0.5, 0.9, 0.99), Float64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, runtime, model);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_per_image_1h_mv TO jobs_model_per_image_1h AS
SELECT tenant, runtime, model, toStartOfHour(ts) AS t,
  quantilesTDigestState(0.5, 0.9, 0.99)(ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1)) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s)
GROUP BY tenant, runtime, model, t;
