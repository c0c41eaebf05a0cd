-- Seconds per image on GET /api/v1/jobs/stats (docs/signals.md "Seconds per image"): a job's
-- duration is seconds per image x batch x repeat, so a change in the batch mix moves the job p50
-- more than a real per-image slowdown does. Per image is a job_end's duration_s / images, over the
-- jobs that ended ok with images > 0 (a failed job's few seconds and zero images say nothing about
-- how long an image takes); queries/aggregates.ts states the same rule for the raw answer.
--
-- Rollups of their own, beside the job rollups /api/v1/jobs/stats reads: jobs_per_image_1m/1h
-- (keyed by host, runtime and model) beside jobs_1m/1h for a host, jobs_model_per_image_1m/1h beside
-- jobs_model_1m/1h fleet-wide; each a t-digest state seconds_per_image_q. Not a column of the job rollups: each of
-- their views names its images sum `images`, and ClickHouse reads `images` anywhere in that SELECT
-- as the sum (an aggregate inside an aggregate); a MATERIALIZED column on runtime_events instead
-- (this migration's first version, checksum c2ba2c5c071d136d, repaired by
-- repairs/0028_seconds_per_image.c2ba2c5c071d136d.sql) made 18.16's Distributed table refuse every
-- insert in cluster mode. The host-level job rollups (jobs_host_*) hold no duration digest and no
-- query of job durations reads them.
--
-- No backfill: minutes and hours rolled up before this migration have no row here, and the API
-- answers null per image for a range read only from such rollups (a range partly before it counts
-- the jobs after it). Raw rows count every job whenever it was written.
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
