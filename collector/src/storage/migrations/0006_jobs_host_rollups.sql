-- Host-level job rollups: the job counters of jobs_1m/jobs_1h summed over a host's GPUs, models and
-- resolutions, keyed (tenant, host, t). Fleet-wide pages (tiles, slowdowns) read these: jobs_1h holds
-- one row per GPU, model and resolution per hour (6 M rows a month for 1,000 8-GPU hosts).

CREATE TABLE IF NOT EXISTS jobs_host_1m (
  tenant String,
  host String,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  ooms AggregateFunction(countIf, UInt8),
  model_loads AggregateFunction(countIf, UInt8),
  model_loads_disk AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_host_1m_mv TO jobs_host_1m AS
SELECT tenant, host, toStartOfMinute(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  countIfState(toUInt8(kind = 'oom')) AS ooms,
  countIfState(toUInt8(kind = 'model_load')) AS model_loads,
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, t;

CREATE TABLE IF NOT EXISTS jobs_host_1h (
  tenant String,
  host String,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  ooms AggregateFunction(countIf, UInt8),
  model_loads AggregateFunction(countIf, UInt8),
  model_loads_disk AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS jobs_host_1h_mv TO jobs_host_1h AS
SELECT tenant, host, toStartOfHour(ts) AS t,
  countIfState(toUInt8(kind = 'job_end')) AS jobs,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'ok')) AS jobs_ok,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'oom')) AS jobs_oom,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'error')) AS jobs_error,
  countIfState(toUInt8(kind = 'job_end' AND outcome = 'interrupted')) AS jobs_interrupted,
  sumIfState(toUInt64(ifNull(images, 0)), toUInt8(kind = 'job_end')) AS images,
  countIfState(toUInt8(kind = 'oom')) AS ooms,
  countIfState(toUInt8(kind = 'model_load')) AS model_loads,
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, t;
