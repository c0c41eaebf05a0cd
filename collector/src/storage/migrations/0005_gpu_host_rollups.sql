-- Host-level GPU rollups: the GPU aggregates of gpu_1m/gpu_1h summed over a host's GPUs, keyed
-- (tenant, host, t). Fleet-wide pages (tiles, heatmap, utilization, slowdowns) group by host, so
-- they read 8x fewer rows on an 8-GPU fleet than from the per-GPU rollups. No `minutes` column
-- (GPU-hours come from the per-GPU rollups).

CREATE TABLE IF NOT EXISTS gpu_host_1m (
  tenant String,
  host String,
  t DateTime('UTC'),
  samples AggregateFunction(count),
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
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_host_1m_mv TO gpu_host_1m AS
SELECT tenant, host, toStartOfMinute(ts) AS t,
  countState() AS samples,
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
GROUP BY tenant, host, t;

CREATE TABLE IF NOT EXISTS gpu_host_1h (
  tenant String,
  host String,
  t DateTime('UTC'),
  samples AggregateFunction(count),
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
ORDER BY (tenant, host, t);

CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_host_1h_mv TO gpu_host_1h AS
SELECT tenant, host, toStartOfHour(ts) AS t,
  countState() AS samples,
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
GROUP BY tenant, host, t;
