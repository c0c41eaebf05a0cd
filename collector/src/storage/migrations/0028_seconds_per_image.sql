-- Seconds per image on GET /api/v1/jobs/stats (docs/signals.md "Seconds per image"): a job's
-- duration is seconds per image x batch x repeat, so a change in the batch mix moves the job p50
-- more than a real per-image slowdown does.
--
-- The rule lives in one place, the raw events' MATERIALIZED column seconds_per_image: a job_end's
-- duration_s / images when the job ended ok with images > 0 (a failed job's few seconds and zero
-- images say nothing about how long an image takes), NULL for every other row. The raw answers and
-- the rollups' views both read it. (A view cannot compute it itself: each job view's SELECT names
-- its images sum `images`, and ClickHouse reads `images` anywhere in that SELECT as the sum.)
-- Stored rows compute it when read; it is never sent or inserted.
--
-- The job rollups that hold duration digests and that /api/v1/jobs/stats reads (jobs_1m/1h with a
-- host, jobs_model_1m/1h without) gain seconds_per_image_q, a t-digest of it. The host-level job
-- rollups (jobs_host_*) hold no duration digest and no query of job durations reads them; they
-- are left as they are.
--
-- Rows rolled up before this migration have an empty state there: the API answers null for a
-- range rolled up only before it, and the per-image figures of a rollup bucket that straddles it
-- come from the jobs rolled up after it. No backfill (the raw events of the last days could give
-- one, the older rollups cannot, and a range would then mix two sources).
--
-- The views are dropped and created again with the new column (18.16 cannot ALTER a view's
-- query). Collectors migrate before they ingest; DROP + CREATE is safe to run twice.
ALTER TABLE runtime_events ADD COLUMN seconds_per_image Nullable(Float64) MATERIALIZED
  if(kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s),
    ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1), NULL);

ALTER TABLE jobs_1m ADD COLUMN seconds_per_image_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8);

ALTER TABLE jobs_1h ADD COLUMN seconds_per_image_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8);

ALTER TABLE jobs_model_1m ADD COLUMN seconds_per_image_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8);

ALTER TABLE jobs_model_1h ADD COLUMN seconds_per_image_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8);

DROP TABLE IF EXISTS jobs_1m_mv;

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(seconds_per_image, 0), toUInt8(isNotNull(seconds_per_image))) AS seconds_per_image_q
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;

DROP TABLE IF EXISTS jobs_1h_mv;

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(seconds_per_image, 0), toUInt8(isNotNull(seconds_per_image))) AS seconds_per_image_q
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;

DROP TABLE IF EXISTS jobs_model_1m_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_1m_mv TO jobs_model_1m AS
SELECT tenant, runtime, model, toStartOfMinute(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(seconds_per_image, 0), toUInt8(isNotNull(seconds_per_image))) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, runtime, model, t;

DROP TABLE IF EXISTS jobs_model_1h_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_model_1h_mv TO jobs_model_1h AS
SELECT tenant, runtime, model, toStartOfHour(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(duration_s, 0), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS duration_q,
  quantilesTDigestIfState(0.5, 0.9, 0.99)(ifNull(seconds_per_image, 0), toUInt8(isNotNull(seconds_per_image))) AS seconds_per_image_q
FROM runtime_events
WHERE kind = 'job_end'
GROUP BY tenant, runtime, model, t;
