-- SLO evaluations (budget and burn rate over time, for the dashboard and Grafana), alert state
-- (one row per alert fingerprint; the newest version wins), alert state changes (history), and
-- the evaluator lease that lets one collector replica evaluate per interval.
-- Valid on ClickHouse 18.16: DateTime, Nullable, ReplacingMergeTree; no TTL, no codecs.

CREATE TABLE IF NOT EXISTS slo_evaluations (
  tenant String,
  slo String,
  ts DateTime('UTC'),
  kind String,
  objective Float64,
  window_s UInt32,
  good Float64,
  valid Float64,
  sli Nullable(Float64),
  budget_remaining Nullable(Float64),
  period_burn_rate Nullable(Float64),
  burn_5m Nullable(Float64),
  burn_30m Nullable(Float64),
  burn_1h Nullable(Float64),
  burn_6h Nullable(Float64),
  burn_3d Nullable(Float64),
  status String,
  windows_json String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, slo, ts);

CREATE TABLE IF NOT EXISTS alerts (
  tenant String,
  fingerprint String,
  alertname String,
  severity String,
  source String,
  rule String,
  state String,
  labels_keys Array(String),
  labels_values Array(String),
  annotations_keys Array(String),
  annotations_values Array(String),
  value Nullable(Float64),
  active_at DateTime('UTC'),
  fired_at Nullable(DateTime('UTC')),
  resolved_at Nullable(DateTime('UTC')),
  acked_by String,
  acked_at Nullable(DateTime('UTC')),
  last_sent_at Nullable(DateTime('UTC')),
  updated_at DateTime('UTC'),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, fingerprint);

CREATE TABLE IF NOT EXISTS alert_transitions (
  tenant String,
  fingerprint String,
  alertname String,
  ts DateTime('UTC'),
  from_state String,
  to_state String,
  value Nullable(Float64)
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, fingerprint, ts, to_state);

CREATE TABLE IF NOT EXISTS evaluator_leases (
  slot UInt64,
  replica String,
  claimed_ms UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY intDiv(slot, 100000)
ORDER BY (slot, replica);
