// The collector's only reader of process.env. Parsed once at start with zod; every key is
// documented here (docs/config.md lists them; a test checks they agree).
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

export const CollectorConfigSchema = z.object({
  COLLECTOR_CLICKHOUSE_URL: z.url().default('http://127.0.0.1:8123').describe('ClickHouse HTTP URL'),
  COLLECTOR_CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a ClickHouse identifier')
    .default('renderwatch')
    .describe('database holding renderwatch tables (created by migrations)'),
  COLLECTOR_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a cluster name from <remote_servers>')
    .default('')
    .describe(
      'ClickHouse cluster name: migrations create Replicated local tables and Distributed tables ON CLUSTER, sessions use cluster settings (empty = single node; docs/cluster.md)',
    ),
  COLLECTOR_CLICKHOUSE_USER: z.string().default('default').describe('ClickHouse user'),
  COLLECTOR_CLICKHOUSE_PASSWORD: z.string().default('').describe('ClickHouse password (redacted in logs)'),
  COLLECTOR_HOST: z.string().default('0.0.0.0').describe('address both servers bind to'),
  COLLECTOR_HTTP_PORT: port.default(8470).describe('HTTP API, dashboard and /metrics port (0 = any free port)'),
  COLLECTOR_GRPC_PORT: port.default(8471).describe('gRPC ingest port (0 = any free port)'),
  COLLECTOR_DASHBOARD_DIR: z.string().default('').describe('built dashboard to serve at / (empty = dashboard/dist beside the collector)'),
  COLLECTOR_SILENT_AFTER_S: z.coerce.number().int().positive().default(60).describe('a host that has not reported for this many seconds is shown as silent'),
  COLLECTOR_MAX_BATCH_ROWS: z.coerce.number().int().positive().default(50_000).describe('largest Export accepted, in rows'),
  COLLECTOR_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe('largest gRPC message accepted, bytes'),
  COLLECTOR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  COLLECTOR_AGENT_TOKENS_FILE: z
    .string()
    .default('')
    .describe('YAML/JSON file of agent token hashes → tenant (empty = dev mode: every agent is tenant "default"); re-read on change'),
  COLLECTOR_TLS_CERT_FILE: z.string().default('').describe('PEM certificate (chain) for TLS on gRPC and HTTP (empty = plaintext)'),
  COLLECTOR_TLS_KEY_FILE: z.string().default('').describe('PEM private key matching COLLECTOR_TLS_CERT_FILE'),
  COLLECTOR_TLS_CLIENT_CA_FILE: z.string().default('').describe('PEM CA bundle: when set, gRPC agents must present a client certificate it signed (mTLS)'),
  COLLECTOR_INGEST_MAX_INFLIGHT: z.coerce
    .number()
    .int()
    .positive()
    .default(2048)
    .describe('Export batches being written at once (coalesced into shared INSERTs)'),
  COLLECTOR_INGEST_QUEUE_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(512)
    .describe('Export batches waiting beyond the in-flight ones; more are answered RESOURCE_EXHAUSTED'),
  COLLECTOR_INGEST_GROUP_ROWS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('rows that make an ingest group full: written to ClickHouse at once, one INSERT per table (bigger groups = fewer parts and view runs)'),
  COLLECTOR_INGEST_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(250)
    .describe(
      'how long the oldest Export of a not-yet-full ingest group waits for more before the group is written, ms (adds up to this to sample-to-queryable latency)',
    ),
  COLLECTOR_INGEST_RETRY_AFTER_S: z.coerce
    .number()
    .int()
    .positive()
    .default(2)
    .describe('retry hint (gRPC metadata retry-after-s) sent with RESOURCE_EXHAUSTED and UNAVAILABLE, seconds'),
  COLLECTOR_START_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('how long to wait for ClickHouse at start before exiting'),
  COLLECTOR_RETENTION_RAW_DAYS: z.coerce.number().int().min(1).default(7).describe('days of raw GPU and host samples kept (daily partitions dropped after)'),
  COLLECTOR_RETENTION_ROLLUP_1M_DAYS: z.coerce.number().int().min(1).default(35).describe('days of 1-minute rollups kept'),
  COLLECTOR_RETENTION_ROLLUP_1H_DAYS: z.coerce.number().int().min(1).default(400).describe('days of 1-hour rollups kept'),
  COLLECTOR_RETENTION_EVENTS_DAYS: z.coerce.number().int().min(1).default(90).describe('days of runtime events and GPU status rows kept'),
  COLLECTOR_RETENTION_LEDGER_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .default(14)
    .describe('days of the ingest dedup ledger kept (must exceed the longest agent spool age)'),
  COLLECTOR_RETENTION_INTERVAL_S: z.coerce
    .number()
    .int()
    .min(0)
    .default(3600)
    .describe('how often retention runs, seconds (0 = never from serve; use the retention command)'),
  COLLECTOR_CAPACITY_REFRESH_S: z.coerce
    .number()
    .int()
    .min(0)
    .default(300)
    .describe('how often the capacity rollup recomputes the last 2 hours, seconds (0 = never)'),
  COLLECTOR_API_ADMIN_KEY: z.string().default('').describe('bootstrap admin API key (redacted in logs); empty and no stored keys = dev mode'),
  COLLECTOR_API_ADMIN_TENANT: z
    .string()
    .regex(/^[\w.:@-]{1,128}$/)
    .default('default')
    .describe('tenant of the bootstrap admin key'),
  COLLECTOR_API_KEYS_REFRESH_MS: z.coerce.number().int().positive().default(5000).describe('how often API keys are reloaded from ClickHouse, ms'),
  COLLECTOR_API_MAX_RANGE_DAYS: z.coerce.number().int().positive().default(400).describe('longest time range an API query may ask for, days'),
  COLLECTOR_API_MAX_POINTS: z.coerce.number().int().positive().default(2000).describe('most buckets per series an API query may ask for'),
  COLLECTOR_API_QUERY_TIMEOUT_S: z.coerce.number().int().positive().default(10).describe('ClickHouse max_execution_time per API query, seconds'),
  COLLECTOR_API_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000).describe('how long identical API answers are reused, ms (0 = no cache)'),
  COLLECTOR_SLO_FILE: z.string().default('').describe('SLO and alert-rule YAML file, re-read every evaluation (empty = collector/slo/default-slos.yaml)'),
  COLLECTOR_SLO_EVAL_INTERVAL_S: z.coerce
    .number()
    .int()
    .min(0)
    .default(60)
    .describe('how often SLOs and alert rules are evaluated, seconds (0 = never from serve)'),
  COLLECTOR_ALERTMANAGER_URL: z
    .union([z.url(), z.literal('')])
    .default('')
    .describe('Prometheus Alertmanager base URL for API v2 delivery (empty = none)'),
  COLLECTOR_ALERT_WEBHOOK_URLS: z.string().default('').describe('comma-separated webhook URLs that receive Alertmanager-style JSON (empty = none)'),
  COLLECTOR_ALERT_WEBHOOK_SECRET: z.string().default('').describe('HMAC-SHA256 key for the X-Renderwatch-Signature webhook header (redacted in logs)'),
  COLLECTOR_ALERT_RESEND_S: z.coerce.number().int().positive().default(60).describe('how often active alerts are re-sent to Alertmanager, seconds'),
  COLLECTOR_ALERT_LEASE_SETTLE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(500)
    .describe('wait between claiming the evaluation lease and reading who won it, ms'),
  COLLECTOR_REPLICA_ID: z.string().default('').describe("this replica's name in the evaluator lease (empty = random at start)"),
  COLLECTOR_GPU_PRICES: z
    .string()
    .regex(/^$|^\s*[^=,]+=\d+(\.\d+)?\s*(,\s*[^=,]+=\d+(\.\d+)?\s*)*$/, 'expected "GPU model substring=price,...", e.g. "H100=2.49,L40S=1.10,*=0.80"')
    .default('')
    .describe(
      'price per GPU-hour by GPU model for /api/v1/cost: comma-separated "name=price" pairs, the first whose name is a substring of the GPU name wins, "*" matches any (empty = no prices: cost answers GPU-hours and energy only)',
    ),
  COLLECTOR_PUBLIC_URL: z.string().default('http://localhost:8470').describe('dashboard URL used in alert links (generatorURL)'),
});

export type CollectorConfig = Readonly<z.infer<typeof CollectorConfigSchema>>;

export type ConfigResult = { ok: true; config: CollectorConfig } | { ok: false; issues: string[] };

/** Parses an env-like record (defaults inside the schema). Pure: tests pass their own record. */
export function parseCollectorConfig(env: Record<string, string | undefined>): ConfigResult {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(CollectorConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const r = CollectorConfigSchema.safeParse(picked);
  if (!r.success) {
    return {
      ok: false,
      issues: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])])})`),
    };
  }
  return { ok: true, config: Object.freeze(r.data) };
}

/** Reads process.env; the only place in the collector that does. */
export function loadCollectorConfig(overrides: Record<string, string | undefined> = {}): ConfigResult {
  return parseCollectorConfig({ ...process.env, ...overrides });
}
