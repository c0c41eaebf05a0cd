-- Job windows for /api/v1/cost?by=campaign and the cost of /api/v1/campaigns/{id} (docs/api.md
-- "Cost per campaign", "How it is computed"). Both shared each GPU sample among the jobs overlapping
-- it, and found each job's window by grouping every job_start/job_end of the hosts over the range
-- plus a day either side (7 d: 7,458 jobs of one demo host to cost 511 campaign jobs on one of its
-- GPUs), and read the same events three more times for the campaigns found, their job counts and
-- images. A GPU sample cannot be given to a campaign at insert time: which jobs overlap it is known
-- only when their events arrive (a job_end comes after the samples it covers; a job a restart took
-- is closed by an event of its campaign that may come hours later), so the samples stay per sample
-- and the sharing stays in the query. What is rolled up here is the other side: one row per job,
-- host, GPU, campaign and hour of its events, keyed by (host, GPU) so that the query reads only the
-- jobs of the GPUs the campaigns ran on; the campaigns found, their jobs, images, label and runtime
-- come from the same rows (only `campaign` events are still read raw: a few per campaign).
--
-- Every state is one that a second copy of the same event does not change (min, max, any; "has a
-- start" as max of a flag, not a count): the backfill below can run again (two collectors
-- migrating at once), overlap the view, and re-sent batches (runtime_events is a
-- ReplacingMergeTree, read without FINAL) count once, as the per-job GROUP BY on raw events did.
-- `t` is the hour of the event: the routes' ranges are whole hours, so reading hours
-- [from - 1 d, to + 1 d) reads exactly the events the raw query read.
CREATE TABLE IF NOT EXISTS campaign_job_spans (
  tenant String,
  host String,
  gpu_key UInt16,
  t DateTime('UTC'),
  campaign_id String,
  job_id String,
  has_start AggregateFunction(max, UInt8),
  start_ms AggregateFunction(minIf, Int64, UInt8),
  has_end AggregateFunction(max, UInt8),
  end_ms AggregateFunction(maxIf, Int64, UInt8),
  last_ms AggregateFunction(max, Int64),
  has_duration AggregateFunction(max, UInt8),
  job_duration_s AggregateFunction(anyIf, Float64, UInt8),
  job_images AggregateFunction(anyIf, UInt32, UInt8),
  label_any AggregateFunction(anyIf, String, UInt8),
  runtime_any AggregateFunction(anyIf, String, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, gpu_key, t, campaign_id, job_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_job_spans_mv TO campaign_job_spans AS
SELECT tenant, host, ifNull(gpu_index, toUInt16(65535)) AS gpu_key, toStartOfHour(ts) AS t, campaign_id, job_id,
  maxState(toUInt8(kind = 'job_start')) AS has_start,
  minIfState(toInt64(toUInt32(ts)) * 1000 + ts_ms, toUInt8(kind = 'job_start')) AS start_ms,
  maxState(toUInt8(kind = 'job_end')) AS has_end,
  maxIfState(toInt64(toUInt32(ts)) * 1000 + ts_ms, toUInt8(kind = 'job_end')) AS end_ms,
  maxState(toInt64(toUInt32(ts)) * 1000 + ts_ms) AS last_ms,
  maxState(toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS has_duration,
  anyIfState(toFloat64(ifNull(duration_s, 0)), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS job_duration_s,
  anyIfState(toUInt32(ifNull(images, 0)), toUInt8(kind = 'job_end' AND isNotNull(images))) AS job_images,
  anyIfState(campaign_label, toUInt8(campaign_label != '')) AS label_any,
  anyIfState(runtime, toUInt8(runtime != '')) AS runtime_any
FROM runtime_events
WHERE kind IN ('job_start', 'job_end') AND job_id != ''
GROUP BY tenant, host, gpu_key, t, campaign_id, job_id;

-- Backfill after the view exists, from every job event still kept: a second run, or an event both
-- copied here and seen by the view, gives the same states.
INSERT INTO campaign_job_spans
SELECT tenant, host, ifNull(gpu_index, toUInt16(65535)) AS gpu_key, toStartOfHour(ts) AS t, campaign_id, job_id,
  maxState(toUInt8(kind = 'job_start')) AS has_start,
  minIfState(toInt64(toUInt32(ts)) * 1000 + ts_ms, toUInt8(kind = 'job_start')) AS start_ms,
  maxState(toUInt8(kind = 'job_end')) AS has_end,
  maxIfState(toInt64(toUInt32(ts)) * 1000 + ts_ms, toUInt8(kind = 'job_end')) AS end_ms,
  maxState(toInt64(toUInt32(ts)) * 1000 + ts_ms) AS last_ms,
  maxState(toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS has_duration,
  anyIfState(toFloat64(ifNull(duration_s, 0)), toUInt8(kind = 'job_end' AND isNotNull(duration_s))) AS job_duration_s,
  anyIfState(toUInt32(ifNull(images, 0)), toUInt8(kind = 'job_end' AND isNotNull(images))) AS job_images,
  anyIfState(campaign_label, toUInt8(campaign_label != '')) AS label_any,
  anyIfState(runtime, toUInt8(runtime != '')) AS runtime_any
FROM runtime_events
WHERE kind IN ('job_start', 'job_end') AND job_id != ''
GROUP BY tenant, host, gpu_key, t, campaign_id, job_id;
