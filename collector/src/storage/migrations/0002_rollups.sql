-- 1-minute and 1-hour rollups (AggregatingMergeTree, -State written by materialized views at
-- insert time, -Merge at query time). Long ranges read these instead of raw rows.
-- Daily partitions everywhere so retention drops whole days. Tenant first in every sort key.
-- Every MV reads the raw table directly (no cascades), so each rollup is independent.
-- Masks: thermal = sw_thermal_slowdown|hw_thermal_slowdown (0x60 = 96), power = sw_power_cap|
-- hw_power_brake_slowdown (0x84 = 132), hw_slowdown = 0x8; busy = utilization >= 10%.

CREATE TABLE IF NOT EXISTS gpu_1m (
  tenant String,
  host String,
  gpu_uuid String,
  t DateTime('UTC'),
  gpu_index UInt16,
  gpu_name String,
  samples AggregateFunction(count),
  minutes AggregateFunction(uniqExact, DateTime('UTC')),
  util_avg AggregateFunction(avg, Float32),
  util_max AggregateFunction(max, Float32),
  mem_used_avg AggregateFunction(avg, UInt64),
  mem_used_max AggregateFunction(max, UInt64),
  mem_total_max AggregateFunction(max, UInt64),
  temp_avg AggregateFunction(avg, Float32),
  temp_max AggregateFunction(max, Float32),
  power_avg AggregateFunction(avg, Float32),
  sm_clock_avg AggregateFunction(avg, UInt32),
  mem_clock_avg AggregateFunction(avg, UInt32),
  busy_samples AggregateFunction(countIf, UInt8),
  thermal_samples AggregateFunction(countIf, UInt8),
  thermal_busy_samples AggregateFunction(countIf, UInt8),
  power_samples AggregateFunction(countIf, UInt8),
  power_busy_samples AggregateFunction(countIf, UInt8),
  hw_slowdown_samples AggregateFunction(countIf, UInt8),
  other_process_samples AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, gpu_uuid, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_1m_mv TO gpu_1m AS
SELECT tenant, host, gpu_uuid, toStartOfMinute(ts) AS t,
  any(gpu_index) AS gpu_index, any(gpu_name) AS gpu_name,
  countState() AS samples,
  uniqExactState(toStartOfMinute(ts)) AS minutes,
  avgState(util_ratio) AS util_avg,
  maxState(util_ratio) AS util_max,
  avgState(mem_used_bytes) AS mem_used_avg,
  maxState(mem_used_bytes) AS mem_used_max,
  maxState(mem_total_bytes) AS mem_total_max,
  avgState(temp_celsius) AS temp_avg,
  maxState(temp_celsius) AS temp_max,
  avgState(power_draw_watts) AS power_avg,
  avgState(sm_clock_mhz) AS sm_clock_avg,
  avgState(mem_clock_mhz) AS mem_clock_avg,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0))) AS busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 96) != 0)) AS thermal_samples,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0) AND bitAnd(ifNull(clock_event_reasons, 0), 96) != 0)) AS thermal_busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 132) != 0)) AS power_samples,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0) AND bitAnd(ifNull(clock_event_reasons, 0), 132) != 0)) AS power_busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 8) != 0)) AS hw_slowdown_samples,
  countIfState(toUInt8(arrayExists(r -> r = '', process_runtimes))) AS other_process_samples
FROM gpu_samples
GROUP BY tenant, host, gpu_uuid, t;

CREATE TABLE IF NOT EXISTS host_1m (
  tenant String,
  host String,
  t DateTime('UTC'),
  samples AggregateFunction(count),
  cpu_avg AggregateFunction(avg, Float32),
  mem_used_avg AggregateFunction(avg, UInt64),
  disk_read_avg AggregateFunction(avg, UInt64),
  disk_write_avg AggregateFunction(avg, UInt64),
  net_rx_avg AggregateFunction(avg, UInt64),
  net_tx_avg AggregateFunction(avg, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS host_1m_mv TO host_1m AS
SELECT tenant, host, toStartOfMinute(ts) AS t,
  countState() AS samples,
  avgState(cpu_ratio) AS cpu_avg,
  avgState(mem_used_bytes) AS mem_used_avg,
  avgState(disk_read_bytes_per_s) AS disk_read_avg,
  avgState(disk_write_bytes_per_s) AS disk_write_avg,
  avgState(net_rx_bytes_per_s) AS net_rx_avg,
  avgState(net_tx_bytes_per_s) AS net_tx_avg
FROM host_samples
GROUP BY tenant, host, t;

CREATE TABLE IF NOT EXISTS jobs_1m (
  tenant String,
  host String,
  gpu_index UInt16,
  runtime String,
  model String,
  width UInt32,
  height UInt32,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  duration_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8),
  ooms AggregateFunction(countIf, UInt8),
  model_loads AggregateFunction(countIf, UInt8),
  model_loads_disk AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, runtime, model, width, height);

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;

CREATE TABLE IF NOT EXISTS gpu_1h (
  tenant String,
  host String,
  gpu_uuid String,
  t DateTime('UTC'),
  gpu_index UInt16,
  gpu_name String,
  samples AggregateFunction(count),
  minutes AggregateFunction(uniqExact, DateTime('UTC')),
  util_avg AggregateFunction(avg, Float32),
  util_max AggregateFunction(max, Float32),
  mem_used_avg AggregateFunction(avg, UInt64),
  mem_used_max AggregateFunction(max, UInt64),
  mem_total_max AggregateFunction(max, UInt64),
  temp_avg AggregateFunction(avg, Float32),
  temp_max AggregateFunction(max, Float32),
  power_avg AggregateFunction(avg, Float32),
  sm_clock_avg AggregateFunction(avg, UInt32),
  mem_clock_avg AggregateFunction(avg, UInt32),
  busy_samples AggregateFunction(countIf, UInt8),
  thermal_samples AggregateFunction(countIf, UInt8),
  thermal_busy_samples AggregateFunction(countIf, UInt8),
  power_samples AggregateFunction(countIf, UInt8),
  power_busy_samples AggregateFunction(countIf, UInt8),
  hw_slowdown_samples AggregateFunction(countIf, UInt8),
  other_process_samples AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, gpu_uuid, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_1h_mv TO gpu_1h AS
SELECT tenant, host, gpu_uuid, toStartOfHour(ts) AS t,
  any(gpu_index) AS gpu_index, any(gpu_name) AS gpu_name,
  countState() AS samples,
  uniqExactState(toStartOfMinute(ts)) AS minutes,
  avgState(util_ratio) AS util_avg,
  maxState(util_ratio) AS util_max,
  avgState(mem_used_bytes) AS mem_used_avg,
  maxState(mem_used_bytes) AS mem_used_max,
  maxState(mem_total_bytes) AS mem_total_max,
  avgState(temp_celsius) AS temp_avg,
  maxState(temp_celsius) AS temp_max,
  avgState(power_draw_watts) AS power_avg,
  avgState(sm_clock_mhz) AS sm_clock_avg,
  avgState(mem_clock_mhz) AS mem_clock_avg,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0))) AS busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 96) != 0)) AS thermal_samples,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0) AND bitAnd(ifNull(clock_event_reasons, 0), 96) != 0)) AS thermal_busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 132) != 0)) AS power_samples,
  countIfState(toUInt8(ifNull(util_ratio >= 0.1, 0) AND bitAnd(ifNull(clock_event_reasons, 0), 132) != 0)) AS power_busy_samples,
  countIfState(toUInt8(bitAnd(ifNull(clock_event_reasons, 0), 8) != 0)) AS hw_slowdown_samples,
  countIfState(toUInt8(arrayExists(r -> r = '', process_runtimes))) AS other_process_samples
FROM gpu_samples
GROUP BY tenant, host, gpu_uuid, t;

CREATE TABLE IF NOT EXISTS host_1h (
  tenant String,
  host String,
  t DateTime('UTC'),
  samples AggregateFunction(count),
  cpu_avg AggregateFunction(avg, Float32),
  mem_used_avg AggregateFunction(avg, UInt64),
  disk_read_avg AggregateFunction(avg, UInt64),
  disk_write_avg AggregateFunction(avg, UInt64),
  net_rx_avg AggregateFunction(avg, UInt64),
  net_tx_avg AggregateFunction(avg, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS host_1h_mv TO host_1h AS
SELECT tenant, host, toStartOfHour(ts) AS t,
  countState() AS samples,
  avgState(cpu_ratio) AS cpu_avg,
  avgState(mem_used_bytes) AS mem_used_avg,
  avgState(disk_read_bytes_per_s) AS disk_read_avg,
  avgState(disk_write_bytes_per_s) AS disk_write_avg,
  avgState(net_rx_bytes_per_s) AS net_rx_avg,
  avgState(net_tx_bytes_per_s) AS net_tx_avg
FROM host_samples
GROUP BY tenant, host, t;

CREATE TABLE IF NOT EXISTS jobs_1h (
  tenant String,
  host String,
  gpu_index UInt16,
  runtime String,
  model String,
  width UInt32,
  height UInt32,
  t DateTime('UTC'),
  jobs AggregateFunction(countIf, UInt8),
  jobs_ok AggregateFunction(countIf, UInt8),
  jobs_oom AggregateFunction(countIf, UInt8),
  jobs_error AggregateFunction(countIf, UInt8),
  jobs_interrupted AggregateFunction(countIf, UInt8),
  images AggregateFunction(sumIf, UInt64, UInt8),
  duration_q AggregateFunction(quantilesTDigestIf(0.5, 0.9, 0.99), Float64, UInt8),
  ooms AggregateFunction(countIf, UInt8),
  model_loads AggregateFunction(countIf, UInt8),
  model_loads_disk AggregateFunction(countIf, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMMDD(t)
ORDER BY (tenant, t, host, gpu_index, runtime, model, width, height);

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
  countIfState(toUInt8(kind = 'model_load' AND source = 'disk')) AS model_loads_disk
FROM runtime_events
WHERE kind IN ('job_end', 'oom', 'model_load')
GROUP BY tenant, host, gpu_index, runtime, model, width, height, t;
