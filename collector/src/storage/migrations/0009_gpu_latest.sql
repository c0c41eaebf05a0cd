-- The latest sample of every GPU, one row per (tenant, host, gpu_uuid): the fleet overview and the
-- tiles' "GPUs busy" read it instead of scanning the day's raw partition (gpu_samples is sorted by
-- host first, so "the last two minutes of every GPU" touches every granule of the day). The view
-- keeps each insert block's newest row per GPU (argMax on ts + ts_ms, NULLs skipped as on the raw
-- rows); ReplacingMergeTree(ts) keeps the newest across blocks, readers still take argMax. Not
-- partitioned and not in retention: one row per GPU ever seen; readers filter on last_ts. Columns
-- are named last_* because an alias equal to a source column name breaks the view's SELECT.
CREATE TABLE IF NOT EXISTS gpu_latest (
  tenant String,
  host String,
  gpu_uuid String,
  last_ts DateTime('UTC'),
  last_ts_ms UInt16,
  last_gpu_index UInt16,
  last_gpu_name String,
  last_util_ratio Nullable(Float32),
  last_mem_used_bytes Nullable(UInt64),
  last_mem_total_bytes Nullable(UInt64),
  last_temp_celsius Nullable(Float32),
  last_power_draw_watts Nullable(Float32),
  last_clock_event_reasons Nullable(UInt64)
) ENGINE = ReplacingMergeTree(last_ts)
ORDER BY (tenant, host, gpu_uuid);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_latest_mv TO gpu_latest AS
SELECT tenant, host, gpu_uuid, max(ts) AS last_ts,
  argMax(ts_ms, toUInt64(ts) * 1000 + ts_ms) AS last_ts_ms,
  argMax(gpu_index, toUInt64(ts) * 1000 + ts_ms) AS last_gpu_index,
  argMax(gpu_name, toUInt64(ts) * 1000 + ts_ms) AS last_gpu_name,
  argMax(util_ratio, toUInt64(ts) * 1000 + ts_ms) AS last_util_ratio,
  argMax(mem_used_bytes, toUInt64(ts) * 1000 + ts_ms) AS last_mem_used_bytes,
  argMax(mem_total_bytes, toUInt64(ts) * 1000 + ts_ms) AS last_mem_total_bytes,
  argMax(temp_celsius, toUInt64(ts) * 1000 + ts_ms) AS last_temp_celsius,
  argMax(power_draw_watts, toUInt64(ts) * 1000 + ts_ms) AS last_power_draw_watts,
  argMax(clock_event_reasons, toUInt64(ts) * 1000 + ts_ms) AS last_clock_event_reasons
FROM gpu_samples
GROUP BY tenant, host, gpu_uuid;

-- Backfill from the last day of raw samples (the fleet overview looks back one day).
INSERT INTO gpu_latest
SELECT tenant, host, gpu_uuid, max(ts) AS last_ts,
  argMax(ts_ms, toUInt64(ts) * 1000 + ts_ms) AS last_ts_ms,
  argMax(gpu_index, toUInt64(ts) * 1000 + ts_ms) AS last_gpu_index,
  argMax(gpu_name, toUInt64(ts) * 1000 + ts_ms) AS last_gpu_name,
  argMax(util_ratio, toUInt64(ts) * 1000 + ts_ms) AS last_util_ratio,
  argMax(mem_used_bytes, toUInt64(ts) * 1000 + ts_ms) AS last_mem_used_bytes,
  argMax(mem_total_bytes, toUInt64(ts) * 1000 + ts_ms) AS last_mem_total_bytes,
  argMax(temp_celsius, toUInt64(ts) * 1000 + ts_ms) AS last_temp_celsius,
  argMax(power_draw_watts, toUInt64(ts) * 1000 + ts_ms) AS last_power_draw_watts,
  argMax(clock_event_reasons, toUInt64(ts) * 1000 + ts_ms) AS last_clock_event_reasons
FROM gpu_samples
WHERE ts >= now() - 86400
GROUP BY tenant, host, gpu_uuid;
