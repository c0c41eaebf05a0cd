-- Hourly NVML energy counter per GPU, so /api/v1/cost answers energy beyond raw retention (the GPU
-- rollups carry power averages, not the counter). energy_joules is a counter that only grows until the
-- driver reloads (reset to ~0). Per GPU per hour the view keeps the first and last reading (argMin/
-- argMax on ts + ts_ms) and the minimum and maximum, as -State columns that merge exactly across
-- insert blocks (18.16 has no window functions, so deltas between samples cannot be taken at insert
-- time). Readers add last - first within an hour (max - first + last when a reading fell: a reset) and the
-- step between an hour's last and the next hour's first (the next first itself after a reset).
CREATE TABLE IF NOT EXISTS gpu_energy_1h (
  tenant String,
  host String,
  gpu_uuid String,
  t DateTime('UTC'),
  gpu_name String,
  e_min AggregateFunction(min, Float64),
  e_max AggregateFunction(max, Float64),
  e_first AggregateFunction(argMin, Float64, UInt64),
  e_last AggregateFunction(argMax, Float64, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, gpu_uuid, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_energy_1h_mv TO gpu_energy_1h AS
SELECT tenant, host, gpu_uuid, toStartOfHour(ts) AS t, any(gpu_name) AS gpu_name,
  minState(toFloat64(assumeNotNull(energy_joules))) AS e_min,
  maxState(toFloat64(assumeNotNull(energy_joules))) AS e_max,
  argMinState(toFloat64(assumeNotNull(energy_joules)), toUInt64(ts) * 1000 + ts_ms) AS e_first,
  argMaxState(toFloat64(assumeNotNull(energy_joules)), toUInt64(ts) * 1000 + ts_ms) AS e_last
FROM gpu_samples
WHERE isNotNull(energy_joules)
GROUP BY tenant, host, gpu_uuid, t;

-- Backfill from the raw samples still retained, for the hours before the one in which this migration
-- runs; that hour is left to the view (its earlier samples are bridged by the step between hours).
INSERT INTO gpu_energy_1h
SELECT tenant, host, gpu_uuid, toStartOfHour(ts) AS t, any(gpu_name) AS gpu_name,
  minState(toFloat64(assumeNotNull(energy_joules))) AS e_min,
  maxState(toFloat64(assumeNotNull(energy_joules))) AS e_max,
  argMinState(toFloat64(assumeNotNull(energy_joules)), toUInt64(ts) * 1000 + ts_ms) AS e_first,
  argMaxState(toFloat64(assumeNotNull(energy_joules)), toUInt64(ts) * 1000 + ts_ms) AS e_last
FROM gpu_samples
WHERE isNotNull(energy_joules) AND ts < toStartOfHour(now())
GROUP BY tenant, host, gpu_uuid, t;
