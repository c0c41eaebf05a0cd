-- Model cache misses on /api/v1/slowdowns (docs/signals.md "Cache miss ratio"): a model load that
-- did not come from RAM, VRAM or the page cache is a miss wherever it read its weights from: local
-- disk (`source = 'disk'`, counted since 0006 as model_loads_disk), a download or a network/remote
-- volume (`download` | `network`, the agent's LOAD_RULES). The host rollups gain
-- model_loads_remote (download + network loads) beside model_loads_disk; the slowdowns query adds
-- the two. Rows rolled up before this migration have an empty state (0) there, which is what they
-- were counted as before, so no backfill is needed and history keeps its old meaning.
--
-- The views are dropped and created again with the new column (18.16 cannot ALTER a view's
-- query). Collectors migrate before they ingest; DROP + CREATE is safe to run twice.
ALTER TABLE jobs_host_1m ADD COLUMN model_loads_remote AggregateFunction(countIf, UInt8);

ALTER TABLE jobs_host_1h ADD COLUMN model_loads_remote AggregateFunction(countIf, UInt8);

DROP TABLE IF EXISTS jobs_host_1m_mv;

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk,
  countIfState(toUInt8(kind = 'model_load' AND source IN ('download', 'network'))) AS model_loads_remote
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, t;

DROP TABLE IF EXISTS jobs_host_1h_mv;

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk,
  countIfState(toUInt8(kind = 'model_load' AND source IN ('download', 'network'))) AS model_loads_remote
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, t;
