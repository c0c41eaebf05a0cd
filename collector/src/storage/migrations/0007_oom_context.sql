-- OOM context, pre-joined at insert time: each OOM event with the job that ended with outcome
-- `oom` on the same host, GPU and second (job id, model, resolution, batch). Two kinds of
-- runtime_events rows meet in one AggregatingMergeTree row per (tenant, host, ts, gpu_key): the
-- OOM's numbers and the job's context are each an argMaxIf state over a tuple, so the OOM explorer
-- reads this small table (OOMs only) instead of joining OOM rows to every job_end row at query time.
-- No Nullable inside the states (18.16 mis-serializes a Nullable inside a tuple state): absent
-- numbers are -1. `ooms` counts distinct OOM events (agent_id, batch_seq, seq), so a row seen twice
-- (a backfill racing the view) is not counted twice. gpu_key = ifNull(gpu_index, 65535).
-- Retention: the `events` family, like runtime_events.
CREATE TABLE IF NOT EXISTS oom_context (
  tenant String,
  host String,
  ts DateTime('UTC'),
  gpu_key UInt16,
  ooms AggregateFunction(uniqExactIf, UInt64, UInt8),
  oom AggregateFunction(argMaxIf, Tuple(UInt16, Int32, String, String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int8), UInt64, UInt8),
  job AggregateFunction(argMaxIf, Tuple(String, String, Int64, Int64, Int64), UInt64, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, host, ts, gpu_key);

CREATE MATERIALIZED VIEW IF NOT EXISTS oom_context_mv TO oom_context AS
SELECT tenant, host, ts, ifNull(gpu_index, 65535) AS gpu_key,
  uniqExactIfState(cityHash64(agent_id, batch_seq, seq), toUInt8(kind = 'oom')) AS ooms,
  argMaxIfState(tuple(ts_ms, ifNull(toInt32(gpu_index), -1), runtime, cause, cause_rule,
      ifNull(toInt64(requested_bytes), -1), ifNull(toInt64(total_bytes), -1), ifNull(toInt64(free_bytes), -1),
      ifNull(toInt64(allocated_bytes), -1), ifNull(toInt64(reserved_unallocated_bytes), -1),
      ifNull(toInt64(other_processes_bytes), -1), ifNull(toInt8(recovered), -1)),
    toUInt64(ts_ms) * 4294967296 + seq, toUInt8(kind = 'oom')) AS oom,
  argMaxIfState(tuple(job_id, model, ifNull(toInt64(width), -1), ifNull(toInt64(height), -1), ifNull(toInt64(batch), -1)),
    toUInt64(ts_ms) * 4294967296 + seq, toUInt8(kind = 'job_end')) AS job
FROM runtime_events
WHERE kind = 'oom' OR (kind = 'job_end' AND outcome = 'oom')
GROUP BY tenant, host, ts, gpu_key;

-- Backfill from the events stored before the view existed (idempotent: see `ooms` above).
INSERT INTO oom_context
SELECT tenant, host, ts, ifNull(gpu_index, 65535) AS gpu_key,
  uniqExactIfState(cityHash64(agent_id, batch_seq, seq), toUInt8(kind = 'oom')) AS ooms,
  argMaxIfState(tuple(ts_ms, ifNull(toInt32(gpu_index), -1), runtime, cause, cause_rule,
      ifNull(toInt64(requested_bytes), -1), ifNull(toInt64(total_bytes), -1), ifNull(toInt64(free_bytes), -1),
      ifNull(toInt64(allocated_bytes), -1), ifNull(toInt64(reserved_unallocated_bytes), -1),
      ifNull(toInt64(other_processes_bytes), -1), ifNull(toInt8(recovered), -1)),
    toUInt64(ts_ms) * 4294967296 + seq, toUInt8(kind = 'oom')) AS oom,
  argMaxIfState(tuple(job_id, model, ifNull(toInt64(width), -1), ifNull(toInt64(height), -1), ifNull(toInt64(batch), -1)),
    toUInt64(ts_ms) * 4294967296 + seq, toUInt8(kind = 'job_end')) AS job
FROM runtime_events
WHERE kind = 'oom' OR (kind = 'job_end' AND outcome = 'oom')
GROUP BY tenant, host, ts, gpu_key;

-- OOM jobs per hour by model, resolution and batch (the jobs that ended with outcome `oom`), for
-- the OOM explorer's unfiltered counts over long ranges: the per-OOM table above has one row per
-- OOM, this one a few per hour. Backfilled for the hours before the one the migration runs in.
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

INSERT INTO oom_jobs_1h
SELECT tenant, toStartOfHour(ts) AS t, model, ifNull(width, 0) AS width, ifNull(height, 0) AS height, ifNull(batch, 0) AS batch,
  countState() AS jobs
FROM runtime_events
WHERE kind = 'job_end' AND outcome = 'oom' AND ts < toStartOfHour(now())
GROUP BY tenant, t, model, width, height, batch;
