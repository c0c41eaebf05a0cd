-- Capacity rollup: per tenant, hour and workload (model, runtime, resolution), the job-weighted
-- distribution of the peak VRAM used on the job's GPU in the job's minute, rounded up to 256 MiB
-- (keeps each state bounded by 320 distinct values up to 80 GB). Written by the collector's
-- capacity refresher from jobs_1m x gpu_1m (a join no materialized view can do); a refresh writes
-- newer rows (computed_at) that replace the old ones, so readers use FINAL.
CREATE TABLE IF NOT EXISTS capacity_1h (
  tenant String,
  t DateTime('UTC'),
  model String,
  runtime String,
  width UInt32,
  height UInt32,
  jobs UInt64,
  peak_q AggregateFunction(quantilesExactWeighted(0.5, 0.9, 0.99), UInt64, UInt64),
  computed_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, model, runtime, width, height);

-- GPU-hours per GPU model and hour, from the minute counts of the GPU rollups (merging per-GPU
-- minute sets over months at query time is too slow), written by the same refresher.
CREATE TABLE IF NOT EXISTS capacity_gpu_1h (
  tenant String,
  t DateTime('UTC'),
  gpu_name String,
  gpus UInt32,
  gpu_minutes UInt64,
  busy_minutes Float64,
  computed_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, gpu_name);
