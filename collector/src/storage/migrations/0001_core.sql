-- Core tables: wide GPU rows (one row per GPU per tick), host rows, runtime events, GPU status,
-- host identity, and the ingest ledger used for (agent_id, batch_seq) dedup.
-- Valid on ClickHouse 18.16 and current releases: DateTime + ms column, no TTL, no codecs.
-- Replacing engines keyed on each row's natural identity make a re-delivered batch collapse.

CREATE TABLE IF NOT EXISTS gpu_samples (
  tenant String,
  host String,
  agent_id String,
  ts DateTime('UTC'),
  ts_ms UInt16,
  gpu_index UInt16,
  gpu_uuid String,
  gpu_name String,
  util_ratio Nullable(Float32),
  mem_util_ratio Nullable(Float32),
  mem_used_bytes Nullable(UInt64),
  mem_total_bytes Nullable(UInt64),
  mem_reserved_bytes Nullable(UInt64),
  temp_celsius Nullable(Float32),
  power_draw_watts Nullable(Float32),
  power_limit_watts Nullable(Float32),
  energy_joules Nullable(Float64),
  sm_clock_mhz Nullable(UInt32),
  sm_clock_max_mhz Nullable(UInt32),
  mem_clock_mhz Nullable(UInt32),
  mem_clock_max_mhz Nullable(UInt32),
  fan_ratio Nullable(Float32),
  clock_event_reasons Nullable(UInt64),
  pcie_tx_bytes_per_s Nullable(UInt64),
  pcie_rx_bytes_per_s Nullable(UInt64),
  ecc_corrected_total Nullable(UInt64),
  ecc_uncorrected_total Nullable(UInt64),
  throttle_thermal_us Nullable(UInt64),
  throttle_power_us Nullable(UInt64),
  mig_enabled UInt8,
  process_pids Array(UInt32),
  process_names Array(String),
  process_runtimes Array(String),
  process_mem_bytes Array(UInt64),
  batch_seq UInt64
) ENGINE = ReplacingMergeTree(batch_seq)
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, host, gpu_uuid, ts, ts_ms);

CREATE TABLE IF NOT EXISTS host_samples (
  tenant String,
  host String,
  agent_id String,
  ts DateTime('UTC'),
  ts_ms UInt16,
  cpu_ratio Nullable(Float32),
  mem_used_bytes Nullable(UInt64),
  mem_total_bytes Nullable(UInt64),
  swap_used_bytes Nullable(UInt64),
  swap_total_bytes Nullable(UInt64),
  volume_mounts Array(String),
  volume_roles Array(String),
  volume_size_bytes Array(UInt64),
  volume_free_bytes Array(UInt64),
  disk_read_bytes_per_s Nullable(UInt64),
  disk_write_bytes_per_s Nullable(UInt64),
  net_rx_bytes_per_s Nullable(UInt64),
  net_tx_bytes_per_s Nullable(UInt64),
  batch_seq UInt64
) ENGINE = ReplacingMergeTree(batch_seq)
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, host, ts, ts_ms);

CREATE TABLE IF NOT EXISTS runtime_events (
  tenant String,
  host String,
  agent_id String,
  ts DateTime('UTC'),
  ts_ms UInt16,
  batch_seq UInt64,
  seq UInt32,
  kind String,
  runtime String,
  gpu_index Nullable(UInt16),
  job_id String,
  model String,
  model_hash String,
  outcome String,
  source String,
  mode String,
  cause String,
  cause_rule String,
  error_type String,
  message String,
  version String,
  url String,
  path String,
  device String,
  extensions Array(String),
  cold Nullable(UInt8),
  recovered Nullable(UInt8),
  duration_s Nullable(Float64),
  startup_s Nullable(Float64),
  images Nullable(UInt32),
  width Nullable(UInt32),
  height Nullable(UInt32),
  steps Nullable(UInt32),
  batch Nullable(UInt32),
  loaded_mb Nullable(Float64),
  offloaded_mb Nullable(Float64),
  freed_mb Nullable(Float64),
  cached_nodes Nullable(UInt32),
  executed_nodes Nullable(UInt32),
  pending Nullable(UInt32),
  running Nullable(UInt32),
  oldest_wait_s Nullable(Float64),
  step Nullable(UInt32),
  total_steps Nullable(UInt32),
  epoch Nullable(UInt32),
  total_epochs Nullable(UInt32),
  loss Nullable(Float64),
  it_per_s Nullable(Float64),
  requested_bytes Nullable(UInt64),
  total_bytes Nullable(UInt64),
  free_bytes Nullable(UInt64),
  allocated_bytes Nullable(UInt64),
  reserved_unallocated_bytes Nullable(UInt64),
  other_processes_bytes Nullable(UInt64),
  bytes Nullable(UInt64)
) ENGINE = ReplacingMergeTree(batch_seq)
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, kind, host, ts, ts_ms, agent_id, batch_seq, seq);

CREATE TABLE IF NOT EXISTS gpu_status (
  tenant String,
  host String,
  agent_id String,
  ts DateTime('UTC'),
  ts_ms UInt16,
  gpu_index UInt16,
  gpu_uuid String,
  status String,
  xid Nullable(UInt32),
  detail String,
  batch_seq UInt64,
  seq UInt32
) ENGINE = ReplacingMergeTree(batch_seq)
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, host, ts, ts_ms, gpu_uuid, agent_id, batch_seq, seq);

CREATE TABLE IF NOT EXISTS hosts (
  tenant String,
  host String,
  agent_id String,
  driver_version String,
  cuda_version String,
  agent_version String,
  labels_keys Array(String),
  labels_values Array(String),
  last_seen DateTime('UTC')
) ENGINE = ReplacingMergeTree(last_seen)
ORDER BY (tenant, host);

CREATE TABLE IF NOT EXISTS ingest_batches (
  tenant String,
  agent_id String,
  batch_seq UInt64,
  received_at DateTime('UTC'),
  rows UInt32
) ENGINE = ReplacingMergeTree(received_at)
ORDER BY (tenant, agent_id, batch_seq);
