// Generates grafana/dashboards/*.json from the compact panel specs below, so the five ClickHouse
// dashboards share one set of filters, bucketing and rollup rules. Run `node grafana/build-dashboards.mjs`
// after editing; `--check` exits 1 when a committed JSON file differs from what this produces.
//
// SQL rules (valid on ClickHouse 18.16 and current releases, see docs/integrations.md):
// - no $__timeInterval (it expands to toStartOfInterval, which 18.16 lacks): buckets are
//   toDateTime(intDiv(toUInt32(col), N) * N);
// - ranges up to 3 days read the 1-minute rollups (gpu_1m, jobs_1m), longer ranges the 1-hour ones;
// - an alias never repeats a column name used inside an aggregate (18.16 resolves the alias first);
// - tenant first in every WHERE.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');
const CH = { type: 'grafana-clickhouse-datasource', uid: '${datasource}' };
const PROM = { type: 'prometheus', uid: '${prometheus}' };

const T = 'tenant = ${tenant:singlequote}';
const H = '$__conditionalAll(host IN (${host:singlequote}), $host)';
const G = '$__conditionalAll(gpu_uuid IN (${gpu:singlequote}), $gpu)';
const R = '$__conditionalAll(runtime IN (${runtime:singlequote}), $runtime)';
const S = '$__conditionalAll(slo IN (${slo:singlequote}), $slo)';
const SHORT = 'toUInt32($__toTime) - toUInt32($__fromTime) <= 259200';
const LONG = 'toUInt32($__toTime) - toUInt32($__fromTime) > 259200';
const width = (min) => `greatest($__interval_s, ${min})`;
const bucket = (col, min = 1) => `toDateTime(intDiv(toUInt32(${col}), ${width(min)}) * ${width(min)})`;
const and = (...c) => c.join(' AND ');

/** Time series over a rollup: 1-minute table for short ranges, 1-hour for long; `{bucket_s}` is the bucket width. */
function rollupSeries(kind, select, where, group) {
  const g = group === undefined ? '' : `, ${group.select}`;
  const by = group === undefined ? '' : `, ${group.by}`;
  const branch = (table, min, range) =>
    `  SELECT ${bucket('t', min)} AS time${g}, ${select.replaceAll('{bucket_s}', width(min))}\n  FROM ${kind}_${table}\n  WHERE ${and(where, '$__timeFilter(t)', range)}\n  GROUP BY time${by}`;
  return `SELECT * FROM (\n${branch('1m', 60, SHORT)}\n  UNION ALL\n${branch('1h', 3600, LONG)}\n) ORDER BY time${by}`;
}

/** The same inner aggregate over the 1-minute or 1-hour rollup, as a subquery body (UNION ALL of both). */
function rollupRange(kind, select, where, groupBy) {
  const branch = (table, range) => `  SELECT ${select}\n  FROM ${kind}_${table}\n  WHERE ${and(where, '$__timeFilter(t)', range)}\n  GROUP BY ${groupBy}`;
  return `${branch('1m', SHORT)}\n  UNION ALL\n${branch('1h', LONG)}`;
}

function target(sql, format, refId = 'A') {
  return { refId, datasource: CH, editorType: 'sql', format, queryType: format === 0 ? 'timeseries' : 'table', rawSql: sql };
}

const ts = (title, sql, columns, unit = 'short', extra = {}) => ({ type: 'timeseries', title, unit, targets: [target(sql, 0)], columns, ...extra });
const table = (title, sql, columns, extra = {}) => ({ type: 'table', title, targets: [target(sql, 1)], columns, ...extra });
const stat = (title, sql, columns, unit = 'short') => ({ type: 'stat', title, unit, targets: [target(sql, 1)], columns, small: true });

function queryVar(name, label, sql, { multi = true, includeAll = true } = {}) {
  return {
    type: 'query',
    name,
    label,
    datasource: CH,
    query: { editorType: 'sql', rawSql: sql },
    definition: sql,
    refresh: 2,
    multi,
    includeAll,
    current: includeAll ? { selected: true, text: ['All'], value: ['$__all'] } : {},
    options: [],
    sort: 1,
    hide: 0,
  };
}

const V = {
  datasource: {
    type: 'datasource',
    name: 'datasource',
    label: 'ClickHouse',
    query: 'grafana-clickhouse-datasource',
    current: { text: 'renderwatch ClickHouse', value: 'renderwatch-clickhouse' },
    hide: 0,
    refresh: 1,
    options: [],
  },
  tenant: queryVar('tenant', 'Tenant', 'SELECT DISTINCT tenant FROM hosts ORDER BY tenant', { multi: false, includeAll: false }),
  host: queryVar('host', 'Host', `SELECT DISTINCT host FROM hosts WHERE ${T} ORDER BY host`),
  // From the 1-hour rollup (cheap over 30 days); the hour bucket that holds $__fromTime counts.
  gpu: queryVar('gpu', 'GPU', `SELECT DISTINCT gpu_uuid FROM gpu_1h WHERE ${and(T, H, 't >= toStartOfHour($__fromTime)', 't <= $__toTime')} ORDER BY gpu_uuid`),
  runtime: queryVar(
    'runtime',
    'Runtime',
    `SELECT DISTINCT runtime FROM runtime_events WHERE ${and(T, "kind = 'job_end'", '$__timeFilter(ts)')} ORDER BY runtime`,
  ),
  slo: queryVar('slo', 'SLO', `SELECT DISTINCT slo FROM slo_evaluations WHERE ${T} ORDER BY slo`),
};

const GIB = 1073741824;
const TIER_OF_VRAM = (col) =>
  `multiIf(${col} <= ${16.5 * GIB}, '16 GB', ${col} <= ${24.5 * GIB}, '24 GB', ${col} <= ${32.5 * GIB}, '32 GB', ${col} <= ${48.5 * GIB}, '48 GB', ${col} <= ${80.5 * GIB}, '80 GB', '> 80 GB')`;
// Smallest tier whose 90% holds the peak (the collector's fitsTier, GB = 1e9).
const FITS_TIER = (col) =>
  `multiIf(isNaN(${col}), 'unknown', ${col} <= 14.4e9, '16 GB', ${col} <= 21.6e9, '24 GB', ${col} <= 28.8e9, '32 GB', ${col} <= 43.2e9, '48 GB', ${col} <= 72e9, '80 GB', 'none')`;
const GPU_LABEL = { select: "concat(host, ' gpu', toString(gpu_index)) AS gpu", by: 'gpu' };

const fleet = {
  uid: 'renderwatch-fleet',
  title: 'renderwatch / Fleet',
  tags: ['renderwatch', 'fleet'],
  vars: [V.datasource, V.tenant, V.host],
  panels: [
    stat('Hosts reporting (last 5 min)', `SELECT uniqExact(host) AS hosts FROM gpu_samples WHERE ${and(T, H, 'ts >= $__toTime - 300', 'ts <= $__toTime')}`, [
      'hosts',
    ]),
    stat('GPUs reporting (last 5 min)', `SELECT uniqExact(gpu_uuid) AS gpus FROM gpu_samples WHERE ${and(T, H, 'ts >= $__toTime - 300', 'ts <= $__toTime')}`, [
      'gpus',
    ]),
    stat(
      'GPU utilization (range)',
      `SELECT sum(u * n) / sum(n) AS utilization FROM (\n${rollupRange('gpu', 'avgMerge(util_avg) AS u, countMerge(samples) AS n', and(T, H), 'host, gpu_uuid')}\n)`,
      ['utilization'],
      'percentunit',
    ),
    stat(
      'Job success (range)',
      `SELECT sum(ok) / sum(j) AS success_ratio FROM (\n${rollupRange('jobs', 'countIfMerge(jobs_ok) AS ok, countIfMerge(jobs) AS j', and(T, H), 'host')}\n)`,
      ['success_ratio'],
      'percentunit',
    ),
    ts(
      'GPU utilization by host',
      rollupSeries('gpu', 'avgMerge(util_avg) AS utilization', and(T, H), { select: 'host', by: 'host' }),
      ['time', 'host', 'utilization'],
      'percentunit',
    ),
    ts(
      'Images per minute by runtime',
      rollupSeries('jobs', 'sumIfMerge(images) * 60 / {bucket_s} AS images_per_minute', and(T, H), { select: 'runtime', by: 'runtime' }),
      ['time', 'runtime', 'images_per_minute'],
    ),
    ts(
      'Job outcomes',
      rollupSeries(
        'jobs',
        'countIfMerge(jobs_ok) AS ok, countIfMerge(jobs_oom) AS oom, countIfMerge(jobs_error) AS error, countIfMerge(jobs_interrupted) AS interrupted',
        and(T, H),
      ),
      ['time', 'ok', 'oom', 'error', 'interrupted'],
    ),
    ts(
      'Thermal-throttled share of busy GPU time',
      rollupSeries('gpu', 'countIfMerge(thermal_busy_samples) / greatest(countIfMerge(busy_samples), 1) AS thermal_share', and(T, H)),
      ['time', 'thermal_share'],
      'percentunit',
    ),
    table(
      'Hosts now (last 5 min)',
      `SELECT host, uniqExact(gpu_uuid) AS gpus, avg(util_ratio) AS utilization, max(temp_celsius) AS temperature_max, sum(mem_used_bytes) / sum(mem_total_bytes) AS vram_used_share, max(ts) AS last_sample\nFROM gpu_samples\nWHERE ${and(T, H, 'ts >= $__toTime - 300', 'ts <= $__toTime')}\nGROUP BY host ORDER BY host`,
      ['host', 'gpus', 'utilization', 'temperature_max', 'vram_used_share', 'last_sample'],
      { w: 16 },
    ),
    table(
      'Silent hosts (no data for 2 min)',
      `SELECT host, max(last_seen) AS last_seen_at, any(agent_version) AS agent\nFROM hosts\nWHERE ${and(T, H)}\nGROUP BY host HAVING last_seen_at < now() - 120 ORDER BY last_seen_at`,
      ['host', 'last_seen_at', 'agent'],
      { w: 8, allowEmpty: true },
    ),
  ],
};

const gpuDetail = {
  uid: 'renderwatch-gpu',
  title: 'renderwatch / GPU detail',
  tags: ['renderwatch', 'gpu'],
  vars: [V.datasource, V.tenant, V.host, V.gpu],
  panels: [
    ts('Utilization', rollupSeries('gpu', 'avgMerge(util_avg) AS utilization', and(T, H, G), GPU_LABEL), ['time', 'gpu', 'utilization'], 'percentunit'),
    ts('VRAM used (max)', rollupSeries('gpu', 'maxMerge(mem_used_max) AS vram_used_max', and(T, H, G), GPU_LABEL), ['time', 'gpu', 'vram_used_max'], 'bytes'),
    ts(
      'Temperature (max)',
      rollupSeries('gpu', 'maxMerge(temp_max) AS temperature_max', and(T, H, G), GPU_LABEL),
      ['time', 'gpu', 'temperature_max'],
      'celsius',
    ),
    ts('Power draw (avg)', rollupSeries('gpu', 'avgMerge(power_avg) AS power_watts', and(T, H, G), GPU_LABEL), ['time', 'gpu', 'power_watts'], 'watt'),
    ts(
      'SM clock (avg)',
      rollupSeries('gpu', 'avgMerge(sm_clock_avg) * 1000000 AS sm_clock_hz', and(T, H, G), GPU_LABEL),
      ['time', 'gpu', 'sm_clock_hz'],
      'hertz',
    ),
    ts(
      'Clock-event (throttle) share of samples',
      rollupSeries(
        'gpu',
        'countIfMerge(thermal_samples) / countMerge(samples) AS thermal, countIfMerge(power_samples) / countMerge(samples) AS power_cap, countIfMerge(hw_slowdown_samples) / countMerge(samples) AS hw_slowdown',
        and(T, H, G),
      ),
      ['time', 'thermal', 'power_cap', 'hw_slowdown'],
      'percentunit',
    ),
    table(
      'Throttle and busy share per GPU (range)',
      `SELECT host, gpu_index, gpu_uuid, sum(n) AS samples_n, sum(busy) / sum(n) AS busy_share, sum(thermal) / sum(n) AS thermal_share, sum(power) / sum(n) AS power_cap_share, sum(hw) / sum(n) AS hw_slowdown_share\nFROM (\n${rollupRange('gpu', 'host, gpu_index, gpu_uuid, countMerge(samples) AS n, countIfMerge(busy_samples) AS busy, countIfMerge(thermal_samples) AS thermal, countIfMerge(power_samples) AS power, countIfMerge(hw_slowdown_samples) AS hw', and(T, H, G), 'host, gpu_index, gpu_uuid')}\n)\nGROUP BY host, gpu_index, gpu_uuid ORDER BY host, gpu_index`,
      ['host', 'gpu_index', 'gpu_uuid', 'samples_n', 'busy_share', 'thermal_share', 'power_cap_share', 'hw_slowdown_share'],
      { w: 24 },
    ),
    table(
      'GPU status events (XID, lost, recovered)',
      `SELECT ts AS time, host, gpu_index, gpu_uuid, status, xid, detail\nFROM gpu_status\nWHERE ${and(T, H, G, '$__timeFilter(ts)')}\nORDER BY ts DESC LIMIT 200`,
      ['time', 'host', 'gpu_index', 'gpu_uuid', 'status', 'xid', 'detail'],
      { w: 24 },
    ),
  ],
};

const slo = {
  uid: 'renderwatch-slo',
  title: 'renderwatch / SLOs and error budget',
  tags: ['renderwatch', 'slo'],
  vars: [V.datasource, V.tenant, V.slo],
  panels: [
    table(
      'SLO status (latest evaluation in range)',
      `SELECT slo, argMax(objective, ts) AS target, argMax(sli, ts) AS sli_now, argMax(budget_remaining, ts) AS budget_left, argMax(burn_1h, ts) AS burn_rate_1h, argMax(burn_6h, ts) AS burn_rate_6h, argMax(status, ts) AS state, max(ts) AS evaluated_at\nFROM slo_evaluations\nWHERE ${and(T, S, '$__timeFilter(ts)')}\nGROUP BY slo ORDER BY slo`,
      ['slo', 'target', 'sli_now', 'budget_left', 'burn_rate_1h', 'burn_rate_6h', 'state', 'evaluated_at'],
      { w: 24 },
    ),
    ts(
      'Error budget remaining',
      `SELECT ${bucket('ts', 60)} AS time, slo, min(budget_remaining) AS budget\nFROM slo_evaluations\nWHERE ${and(T, S, '$__timeFilter(ts)')}\nGROUP BY time, slo ORDER BY time, slo`,
      ['time', 'slo', 'budget'],
      'percentunit',
    ),
    ts(
      'Burn rate (1 h and 6 h windows)',
      `SELECT ${bucket('ts', 60)} AS time, slo, max(burn_1h) AS burn_1h_max, max(burn_6h) AS burn_6h_max\nFROM slo_evaluations\nWHERE ${and(T, S, '$__timeFilter(ts)')}\nGROUP BY time, slo ORDER BY time, slo`,
      ['time', 'slo', 'burn_1h_max', 'burn_6h_max'],
    ),
    table(
      'Alerts pending or firing',
      `SELECT alertname, severity, argMax(state, version) AS current_state, argMax(value, version) AS last_value, argMax(active_at, version) AS since\nFROM alerts\nWHERE ${T}\nGROUP BY fingerprint, alertname, severity HAVING current_state IN ('pending', 'firing') ORDER BY since DESC`,
      ['alertname', 'severity', 'current_state', 'last_value', 'since'],
    ),
    ts(
      'Alert state changes',
      `SELECT ${bucket('ts', 60)} AS time, to_state, count() AS transitions\nFROM alert_transitions\nWHERE ${and(T, '$__timeFilter(ts)')}\nGROUP BY time, to_state ORDER BY time, to_state`,
      ['time', 'to_state', 'transitions'],
    ),
  ],
};

const OOM_WHERE = and(T, "kind = 'oom'", H, R, '$__timeFilter(ts)');
const oom = {
  uid: 'renderwatch-oom',
  title: 'renderwatch / OOM explorer',
  tags: ['renderwatch', 'oom'],
  vars: [V.datasource, V.tenant, V.host, V.runtime],
  panels: [
    stat(
      'OOM rate (jobs ending in OOM)',
      `SELECT sum(o) / greatest(sum(j), 1) AS oom_rate FROM (\n${rollupRange('jobs', 'countIfMerge(jobs_oom) AS o, countIfMerge(jobs) AS j', and(T, H, R), 'host')}\n)`,
      ['oom_rate'],
      'percentunit',
    ),
    stat('OOM errors (range)', `SELECT count() AS ooms FROM runtime_events WHERE ${OOM_WHERE}`, ['ooms']),
    ts(
      'OOMs by cause',
      `SELECT ${bucket('ts', 60)} AS time, if(cause = '', 'unknown', cause) AS oom_cause, count() AS ooms\nFROM runtime_events\nWHERE ${OOM_WHERE}\nGROUP BY time, oom_cause ORDER BY time, oom_cause`,
      ['time', 'oom_cause', 'ooms'],
    ),
    table(
      'OOMs by cause (range)',
      `SELECT if(cause = '', 'unknown', cause) AS oom_cause, count() AS ooms, countIf(recovered = 1) AS recovered_n\nFROM runtime_events\nWHERE ${OOM_WHERE}\nGROUP BY oom_cause ORDER BY ooms DESC`,
      ['oom_cause', 'ooms', 'recovered_n'],
      { type: 'barchart' },
    ),
    table(
      'OOM rate by model and resolution',
      `SELECT model, width, height, sum(j) AS jobs_total, sum(o) AS oom_jobs, sum(o) / sum(j) AS oom_rate\nFROM (\n${rollupRange('jobs', 'model, width, height, countIfMerge(jobs) AS j, countIfMerge(jobs_oom) AS o', and(T, H, R), 'model, width, height')}\n)\nGROUP BY model, width, height HAVING jobs_total > 0 ORDER BY oom_rate DESC, jobs_total DESC LIMIT 100`,
      ['model', 'width', 'height', 'jobs_total', 'oom_jobs', 'oom_rate'],
      { w: 24 },
    ),
    table(
      'Recent OOMs (the numbers from the message; never the prompt)',
      `SELECT ts AS time, host, runtime, gpu_index, if(cause = '', 'unknown', cause) AS oom_cause, cause_rule, requested_bytes, free_bytes, total_bytes, reserved_unallocated_bytes, other_processes_bytes, recovered\nFROM runtime_events\nWHERE ${OOM_WHERE}\nORDER BY ts DESC LIMIT 200`,
      [
        'time',
        'host',
        'runtime',
        'gpu_index',
        'oom_cause',
        'cause_rule',
        'requested_bytes',
        'free_bytes',
        'total_bytes',
        'reserved_unallocated_bytes',
        'other_processes_bytes',
        'recovered',
      ],
      { w: 24 },
    ),
  ],
};

const capBranch = (table, range) =>
  `  SELECT model, runtime, width, height, jobs_n, peak FROM (\n    SELECT host, gpu_index, t, model, runtime, width, height, countIfMerge(jobs) AS jobs_n FROM jobs_${table}\n    WHERE ${and(T, H, '$__timeFilter(t)', range)} GROUP BY host, gpu_index, t, model, runtime, width, height\n  ) AS j ANY LEFT JOIN (\n    SELECT host, gpu_index, t, max(peak_gpu) AS peak FROM (\n      SELECT host, gpu_uuid, gpu_index, t, maxMerge(mem_used_max) AS peak_gpu FROM gpu_${table}\n      WHERE ${and(T, H, '$__timeFilter(t)', range)} GROUP BY host, gpu_uuid, gpu_index, t)\n    GROUP BY host, gpu_index, t\n  ) AS p USING (host, gpu_index, t)`;
const capacity = {
  uid: 'renderwatch-capacity',
  title: 'renderwatch / Capacity',
  tags: ['renderwatch', 'capacity'],
  vars: [V.datasource, V.tenant, V.host],
  panels: [
    table(
      'VRAM peak per workload against the GPU tiers',
      `SELECT model, runtime, width, height, sum(jobs_n) AS jobs_count, quantileIf(0.5)(peak, peak > 0) AS vram_p50, quantileIf(0.9)(peak, peak > 0) AS vram_p90, quantileIf(0.99)(peak, peak > 0) AS vram_p99, ${FITS_TIER('vram_p99')} AS fits_tier\nFROM (\n${capBranch('1m', SHORT)}\n  UNION ALL\n${capBranch('1h', LONG)}\n)\nGROUP BY model, runtime, width, height HAVING jobs_count > 0 ORDER BY jobs_count DESC LIMIT 100`,
      ['model', 'runtime', 'width', 'height', 'jobs_count', 'vram_p50', 'vram_p90', 'vram_p99', 'fits_tier'],
      { w: 24 },
    ),
    table(
      'GPU-hours and utilization per GPU model',
      `SELECT gpu_name_any AS gpu_model, count() AS gpus, sum(gm) / 60 AS gpu_hours, sum(gm * gu) / 60 AS busy_gpu_hours, sum(gu * gn) / sum(gn) AS utilization, max(gv) AS vram_bytes\nFROM (\n  SELECT gpu_uuid, any(model_name) AS gpu_name_any, sum(m) AS gm, sum(u * n) / sum(n) AS gu, sum(n) AS gn, max(vram) AS gv FROM (\n${rollupRange('gpu', 'gpu_uuid, any(gpu_name) AS model_name, uniqExactMerge(minutes) AS m, avgMerge(util_avg) AS u, countMerge(samples) AS n, maxMerge(mem_total_max) AS vram', and(T, H), 'gpu_uuid')}\n  ) GROUP BY gpu_uuid\n)\nGROUP BY gpu_model ORDER BY gpu_model`,
      ['gpu_model', 'gpus', 'gpu_hours', 'busy_gpu_hours', 'utilization', 'vram_bytes'],
    ),
    table(
      'GPUs per VRAM tier',
      `SELECT ${TIER_OF_VRAM('vram')} AS tier, count() AS gpus\nFROM (\n  SELECT gpu_uuid, max(v) AS vram FROM (\n${rollupRange('gpu', 'gpu_uuid, maxMerge(mem_total_max) AS v', and(T, H), 'gpu_uuid')}\n  ) GROUP BY gpu_uuid\n)\nGROUP BY tier ORDER BY tier`,
      ['tier', 'gpus'],
      { type: 'barchart' },
    ),
    ts(
      'Fleet utilization and busy share',
      rollupSeries('gpu', 'avgMerge(util_avg) AS utilization, countIfMerge(busy_samples) / countMerge(samples) AS busy_share', and(T, H)),
      ['time', 'utilization', 'busy_share'],
      'percentunit',
    ),
    ts('GPUs reporting', rollupSeries('gpu', 'uniqExact(gpu_uuid) AS gpus', and(T, H)), ['time', 'gpus']),
    ts('Images per hour', rollupSeries('jobs', 'sumIfMerge(images) * 3600 / {bucket_s} AS images_per_hour', and(T, H)), ['time', 'images_per_hour']),
  ],
};

// Prometheus (the agents' /metrics): PromQL, checked by promtool in e2e/src/grafana-dashboards.int.test.ts.
const PV = {
  prometheus: {
    type: 'datasource',
    name: 'prometheus',
    label: 'Prometheus',
    query: 'prometheus',
    current: { text: 'renderwatch Prometheus', value: 'renderwatch-prometheus' },
    hide: 0,
    refresh: 1,
    options: [],
  },
  host: {
    type: 'query',
    name: 'host',
    label: 'Host',
    datasource: PROM,
    query: { query: 'label_values(renderwatch_agent_info, host)', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: 'label_values(renderwatch_agent_info, host)',
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    sort: 1,
    hide: 0,
  },
};
const prom = (title, expr, unit = 'short', legend = '') => ({
  type: 'timeseries',
  title,
  unit,
  targets: [{ refId: 'A', datasource: PROM, expr, legendFormat: legend, range: true }],
  promql: true,
});
const SEL = 'host=~"$host"';
const agents = {
  uid: 'renderwatch-agents',
  title: 'renderwatch / Agents (Prometheus)',
  tags: ['renderwatch', 'prometheus'],
  vars: [PV.prometheus, PV.host],
  panels: [
    prom('GPU utilization', `avg by (host, gpu_index) (renderwatch_gpu_utilization_ratio{${SEL}})`, 'percentunit', '{{host}} gpu{{gpu_index}}'),
    prom('VRAM used', `sum by (host, gpu_index) (renderwatch_gpu_memory_used_bytes{${SEL}})`, 'bytes', '{{host}} gpu{{gpu_index}}'),
    prom('Temperature', `max by (host, gpu_index) (renderwatch_gpu_temperature_celsius{${SEL}})`, 'celsius', '{{host}} gpu{{gpu_index}}'),
    prom(
      'GPUs with a clock-event reason active',
      `sum by (reason) (renderwatch_gpu_clock_event_reason_active{${SEL}, reason!~"gpu_idle|applications_clocks_setting|display_clock_setting"})`,
      'short',
      '{{reason}}',
    ),
    prom('Jobs per minute by outcome', `sum by (outcome) (rate(renderwatch_jobs_total{${SEL}}[$__rate_interval])) * 60`, 'short', '{{outcome}}'),
    prom('OOMs by cause', `sum by (cause) (increase(renderwatch_oom_total{${SEL}}[$__rate_interval]))`, 'short', '{{cause}}'),
    prom(
      'Job duration p90',
      `histogram_quantile(0.9, sum by (le, runtime) (rate(renderwatch_job_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
      's',
      '{{runtime}}',
    ),
    prom(
      'Agent sample errors and export failures',
      `sum by (host, source) (rate(renderwatch_agent_sample_errors_total{${SEL}}[$__rate_interval])) or sum by (host, kind) (rate(renderwatch_agent_export_failures_total{${SEL}}[$__rate_interval]))`,
      'short',
      '{{host}} {{source}}{{kind}}',
    ),
  ],
};

function layout(panels) {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return panels.map((p, i) => {
    const w = p.w ?? (p.small ? 6 : 12);
    const h = p.small ? 4 : 9;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const panel = {
      id: i + 1,
      type: p.type,
      title: p.title,
      gridPos: { h, w, x, y },
      datasource: p.promql ? PROM : CH,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } } : {},
      targets: p.targets,
    };
    if (p.columns !== undefined) panel.description = `Columns: ${p.columns.join(', ')}.${p.allowEmpty ? ' Empty when every host is reporting.' : ''}`;
    x += w;
    rowH = Math.max(rowH, h);
    return panel;
  });
}

/** Datasource plugins a dashboard can need, by plugin id. */
const DATASOURCE_PLUGINS = {
  'grafana-clickhouse-datasource': { type: 'datasource', id: 'grafana-clickhouse-datasource', name: 'ClickHouse', version: '4.0.0' },
  prometheus: { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
};

/** Grafana plus the datasource plugins the dashboard's panels and variables actually query (no more). */
export function requiresOf(d) {
  const ids = new Set();
  for (const p of d.panels) ids.add(p.promql ? PROM.type : CH.type);
  for (const v of d.vars) if (v.type === 'datasource') ids.add(v.query);
  return [{ type: 'grafana', id: 'grafana', name: 'Grafana', version: '11.0.0' }, ...[...ids].sort().map((id) => DATASOURCE_PLUGINS[id])];
}

function dashboard(d) {
  return {
    __inputs: [],
    __requires: requiresOf(d),
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    editable: true,
    graphTooltip: 1,
    links: [],
    panels: layout(d.panels),
    refresh: '1m',
    schemaVersion: 39,
    tags: d.tags,
    templating: { list: d.vars },
    time: { from: d.uid === 'renderwatch-capacity' ? 'now-30d' : 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    title: d.title,
    uid: d.uid,
    version: 1,
  };
}

/** Column expectations the SQL test checks, keyed by dashboard uid and panel id. */
export function expectations() {
  const out = {};
  for (const d of [fleet, gpuDetail, slo, oom, capacity])
    out[d.uid] = Object.fromEntries(d.panels.map((p, i) => [i + 1, { columns: p.columns, allowEmpty: p.allowEmpty === true }]));
  return out;
}

const FILES = {
  'fleet.json': fleet,
  'gpu-detail.json': gpuDetail,
  'slo.json': slo,
  'oom.json': oom,
  'capacity.json': capacity,
  'agents-prometheus.json': agents,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, d] of Object.entries(FILES)) {
    const text = `${JSON.stringify(dashboard(d), null, 2)}\n`;
    const path = join(OUT, file);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        current = '';
      }
      if (current !== text) {
        console.error(`stale: grafana/dashboards/${file} (run node grafana/build-dashboards.mjs)`);
        stale += 1;
      }
    } else writeFileSync(path, text);
  }
  process.exit(stale > 0 ? 1 : 0);
}
