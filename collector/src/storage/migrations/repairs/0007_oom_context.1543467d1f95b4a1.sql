-- Repair of 0007_oom_context as first shipped (commit 295f637, checksum 1543467d1f95b4a1). That
-- version was edited afterwards (commit db310b8) to add oom_jobs_1h, which the OOM explorer reads;
-- a database that ran the first version lacks it. This file adds what the edit added, as it is in
-- 0007 today, and is run once by migrate() (collector/src/storage/migrate.ts) on such a database
-- only; see docs/storage.md "Migrations that were edited after they shipped".
--
-- OOM jobs per hour by model, resolution and batch (the jobs that ended with outcome `oom`), for
-- the OOM explorer's unfiltered counts over long ranges.
CREATE TABLE IF NOT EXISTS oom_jobs_1h (
  tenant String,
  t DateTime('UTC'),
  model String,
  width UInt32,
  height UInt32,
  batch UInt32,
  jobs AggregateFunction(count)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, model, width, height, batch);

CREATE MATERIALIZED VIEW IF NOT EXISTS oom_jobs_1h_mv TO oom_jobs_1h AS
SELECT tenant, toStartOfHour(ts) AS t, model, ifNull(width, 0) AS width, ifNull(height, 0) AS height, ifNull(batch, 0) AS batch,
  countState() AS jobs
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'oom'
GROUP BY tenant, t, model, width, height, batch;

-- Backfill for the hours before the one the repair runs in. Skipped when those hours already have
-- rows (a repair that was interrupted after this statement and is run again).
INSERT INTO oom_jobs_1h
SELECT tenant, toStartOfHour(ts) AS t, model, ifNull(width, 0) AS width, ifNull(height, 0) AS height, ifNull(batch, 0) AS batch,
  countState() AS jobs
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'oom' AND ts < toStartOfHour(now())
  AND (SELECT count() FROM oom_jobs_1h WHERE t < toStartOfHour(now())) = 0
GROUP BY tenant, t, model, width, height, batch;
