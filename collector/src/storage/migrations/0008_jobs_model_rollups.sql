-- Model-level job rollups: the job counters and duration t-digests of jobs_1m/jobs_1h summed over
-- hosts, GPUs and resolutions, keyed (tenant, t, runtime, model). Fleet-wide job statistics
-- (GET /api/v1/jobs/stats without a host) read these: jobs_1h holds one row per GPU, model and
-- resolution per hour (1.2 M rows a month for 200 8-GPU hosts), these a few per hour.

CREATE TABLE IF NOT EXISTS jobs_model_1m (
  tenant String,
  runtime String,
  model String,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  duration_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, runtime, model);

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

CREATE TABLE IF NOT EXISTS jobs_model_1h (
  tenant String,
  runtime String,
  model String,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  duration_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, runtime, model);

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

-- Backfill from the per-GPU job rollups (their states merged: exact), for the hours before the one
-- in which this migration runs; that hour is left to the views (rows of it stored before the views
-- existed are not counted).
INSERT INTO jobs_model_1m
SELECT tenant, runtime, model, t, countIfMergeState(jobs) AS jobs, countIfMergeState(jobs_ok) AS jobs_ok, countIfMergeState(jobs_oom) AS jobs_oom,
  countIfMergeState(jobs_error) AS jobs_error, countIfMergeState(jobs_interrupted) AS jobs_interrupted, sumIfMergeState(images) AS images,
  quantilesTDigestIfMergeState(0.5, 0.9, 0.99)(duration_q) AS duration_q
FROM jobs_1m
WHERE t < toStartOfHour(now())
GROUP BY tenant, runtime, model, t;

INSERT INTO jobs_model_1h
SELECT tenant, runtime, model, t, countIfMergeState(jobs) AS jobs, countIfMergeState(jobs_ok) AS jobs_ok, countIfMergeState(jobs_oom) AS jobs_oom,
  countIfMergeState(jobs_error) AS jobs_error, countIfMergeState(jobs_interrupted) AS jobs_interrupted, sumIfMergeState(images) AS images,
  quantilesTDigestIfMergeState(0.5, 0.9, 0.99)(duration_q) AS duration_q
FROM jobs_1h
WHERE t < toStartOfHour(now())
GROUP BY tenant, runtime, model, t;
