#!/bin/bash
# Runs once, on the first start of an empty ClickHouse volume: a read-only user for Grafana.
# readonly = 2 still lets Grafana set max_execution_time (grafana-clickhouse-datasource README).
set -euo pipefail
clickhouse client --user "${CLICKHOUSE_USER}" --password "${CLICKHOUSE_PASSWORD}" --multiquery <<SQL
CREATE USER IF NOT EXISTS ${GRAFANA_CH_USER} IDENTIFIED WITH sha256_password BY '${GRAFANA_CH_PASSWORD}' SETTINGS readonly = 2;
GRANT SELECT ON ${CLICKHOUSE_DB}.* TO ${GRAFANA_CH_USER};
SQL
