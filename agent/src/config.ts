// The agent's only reader of process.env. Layering is explicit: CLI flags > env > defaults,
// merged by the pure `resolveAgentConfig` (tested), parsed once with zod to the types the code uses
// (lists to arrays, pairs to typed records, numbers with their unit in the key's name), frozen.
// Each key has its one default here; no other module splits a list or supplies a default.
import { hostname } from 'node:os';
import { RuntimeNameSchema, type RuntimeName } from '@renderwatch/schema';
import { z } from 'zod';
import { parseA1111Url } from './runtime-api/a1111-api-source.js';

const port = z.coerce.number().int().min(0).max(65535);
/** A positive whole number (ms, seconds, rows or bytes: the key's name says which). */
const positiveInt = z.coerce.number().int().positive();

/** Marks an internal tuning knob (docs/tuning.md, not docs/config.md). */
function tuning<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...schema.meta(), tuning: true }) as T;
}

/** The items of a comma-separated list: trimmed, empty items dropped ('' is []). */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `prefix:rest` → [prefix, rest]; undefined when there is no prefix. */
function splitPair(item: string): [string, string] | undefined {
  const i = item.indexOf(':');
  return i <= 0 ? undefined : [item.slice(0, i), item.slice(i + 1)];
}

/** A comma-separated list whose items are parsed one by one; a bad item is an issue naming it. */
function list<T>(describeItem: string, parse: (item: string) => T | undefined) {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: T[] = [];
      for (const item of splitList(v)) {
        const parsed = parse(item);
        if (parsed === undefined) ctx.addIssue({ code: 'custom', message: `"${item}" — ${describeItem}` });
        else out.push(parsed);
      }
      return out;
    });
}

/**
 * `key=value` pairs (the OTLP header format: values URL-encoded). Entries without a key or whose value
 * cannot be decoded come back in `bad`.
 */
export function parseKeyValues(text: string): { pairs: Record<string, string>; bad: string[] } {
  const pairs: Record<string, string> = {};
  const bad: string[] = [];
  for (const part of splitList(text)) {
    const i = part.indexOf('=');
    const key = i <= 0 ? '' : part.slice(0, i).trim();
    if (key === '') {
      bad.push(part);
      continue;
    }
    try {
      pairs[key] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      bad.push(part);
    }
  }
  return { pairs, bad };
}

const VOLUME_ROLES = { model: 'models', models: 'models', cache: 'cache', output: 'outputs', outputs: 'outputs' } as const;
export type VolumeRole = (typeof VOLUME_ROLES)[keyof typeof VOLUME_ROLES];

export const METRICS_COMPAT_MODES = ['native', 'dcgm', 'nvidia_gpu_exporter'] as const;
export type MetricsCompatMode = (typeof METRICS_COMPAT_MODES)[number];

export interface RuntimeLog {
  readonly runtime: RuntimeName;
  readonly path: string;
}

export const AgentConfigSchema = z.object({
  AGENT_COLLECTOR_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'host:port')
    .default('127.0.0.1:8471')
    .describe('gRPC address of a collector'),
  AGENT_TOKEN: z.string().default('').describe('agent token sent as Bearer credentials (redacted in logs)'),
  AGENT_ID: z
    .string()
    .regex(/^[\w.:@-]{1,128}$/)
    .optional()
    .describe('stable agent id (default: agent-<hostname>)'),
  AGENT_HOSTNAME: z.string().min(1).max(253).optional().describe('host name reported to the collector (default: os.hostname())'),
  AGENT_SAMPLE_INTERVAL_MS: positiveInt.default(1000).describe('GPU and host sampling interval, ms'),
  AGENT_FLUSH_INTERVAL_MS: positiveInt.default(2000).describe('how often a batch is cut and sent, ms'),
  AGENT_MAX_BATCH_ROWS: positiveInt.default(2000).describe('a batch is cut early at this many rows'),
  AGENT_EXPORT_DEADLINE_MS: positiveInt.default(10_000).describe('deadline of one Export call, ms'),
  AGENT_EXPORT_MAX_INFLIGHT: tuning(positiveInt.default(1).describe('Export calls open at once (1 = strictly in batch_seq order)')),
  AGENT_EXPORT_STREAM: tuning(
    z
      .enum(['on', 'off'])
      .default('on')
      .describe(
        'on: batches as messages on one long-lived ExportStream (Export calls while the collector answers UNIMPLEMENTED); off: one Export call per batch',
      ),
  ),
  AGENT_SPOOL_MAX_BYTES: positiveInt.default(256 * 1024 * 1024).describe('disk spool size limit, bytes (when full: oldest samples dropped first, events last)'),
  AGENT_SPOOL_MAX_AGE_S: positiveInt.default(7 * 24 * 3600).describe('spooled batches older than this are dropped, seconds'),
  AGENT_TLS: z.enum(['off', 'on']).default('off').describe('TLS to the collector (on when AGENT_TLS_CA_FILE is set)'),
  AGENT_TLS_CA_FILE: z.string().default('').describe('PEM CA bundle that signed the collector certificate (empty = system roots)'),
  AGENT_TLS_CERT_FILE: z.string().default('').describe('PEM client certificate for collectors that require mTLS'),
  AGENT_TLS_KEY_FILE: z.string().default('').describe('PEM private key of AGENT_TLS_CERT_FILE'),
  AGENT_GPU_SOURCE: z.enum(['auto', 'nvml', 'nvidia-smi', 'replay', 'none']).default('auto').describe('GPU source: auto tries NVML, then nvidia-smi'),
  AGENT_NVML_LIB: z.string().default('').describe('path of libnvidia-ml.so (default: the loader finds libnvidia-ml.so.1)'),
  AGENT_NVIDIA_SMI_PATH: z.string().default('nvidia-smi').describe('nvidia-smi binary for the fallback source'),
  AGENT_REPLAY_FILES: list('a file path', (s) => s).describe('comma-separated recorded nvidia-smi outputs replayed by the replay source'),
  AGENT_ERROR_MESSAGES: z
    .enum(['template', 'raw'])
    .default('template')
    .describe(
      "runtime error messages sent as templates with a fingerprint (user text replaced by <str> <path> <num> <id> <words>); 'raw' opts in to the first line itself, which may quote prompts (docs/privacy.md)",
    ),
  AGENT_RUNTIME_LOGS: list(`the runtime must be one of ${RuntimeNameSchema.options.join(', ')}, then :path`, (s): RuntimeLog | undefined => {
    const pair = splitPair(s);
    const runtime = RuntimeNameSchema.safeParse(pair?.[0]);
    return pair === undefined || !runtime.success || pair[1] === '' ? undefined : { runtime: runtime.data, path: pair[1] };
  }).describe('comma-separated runtime:path pairs of logs to follow, e.g. comfyui:/srv/comfy/comfyui.log'),
  AGENT_COMFYUI_URLS: list('expected an http(s) URL', (s) => (/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(s) ? s.replace(/\/+$/, '') : undefined))
    .transform((urls) => [...new Set(urls)])
    .describe(
      'comma-separated ComfyUI base URLs whose API the agent watches (/system_stats, /queue, /history, /ws console stream), e.g. http://127.0.0.1:8188; empty = off. One URL and one comfyui: log are the same server: jobs come from the API, the rest from the log (docs/runtime-adapters.md)',
    ),
  AGENT_COMFYUI_POLL_INTERVAL_MS: positiveInt.default(2000).describe('how often each ComfyUI API is polled while it answers, ms'),
  AGENT_COMFYUI_TIMEOUT_MS: positiveInt.default(5000).describe('deadline of one ComfyUI API request, ms'),
  AGENT_COMFYUI_RECONNECT_MAX_MS: tuning(positiveInt.default(30_000).describe('backoff cap between attempts while a ComfyUI is down, ms')),
  AGENT_PREEMPTION_PROBE: z
    .enum(['auto', 'off', 'gcp', 'aws', 'azure'])
    .default('auto')
    .describe(
      'cloud preemption / spot-termination notices read from the instance metadata service and recorded on running campaigns; auto = the provider the DMI strings in /sys/class/dmi/id name (GCP, AWS, Azure; no probe elsewhere), off = never',
    ),
  AGENT_PREEMPTION_POLL_MS: positiveInt.default(5000).describe('how often the metadata service is asked for a preemption notice, ms'),
  AGENT_PREEMPTION_METADATA_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/)
    .optional()
    .describe("metadata service base URL (default: the provider's, http://metadata.google.internal or http://169.254.169.254)"),
  AGENT_A1111_URLS: list('expected an http(s) URL (forge@ before it for a Forge server)', parseA1111Url).describe(
    'comma-separated AUTOMATIC1111 base URLs whose /sdapi/v1/progress the agent follows for batch campaigns (batch count as planned jobs, each iteration a job), forge@URL for Forge, e.g. http://127.0.0.1:7860; empty = off',
  ),
  AGENT_A1111_POLL_INTERVAL_MS: positiveInt.default(1000).describe('how often each A1111/Forge progress API is polled, ms'),
  AGENT_VOLUMES: list(`the role must be one of ${Object.keys(VOLUME_ROLES).join(', ')}, then :mount`, (s) => {
    const pair = splitPair(s);
    const role = pair === undefined ? undefined : (VOLUME_ROLES as Record<string, VolumeRole>)[pair[0]];
    return role === undefined || pair === undefined || pair[1] === '' ? undefined : ([role, pair[1]] as const);
  })
    .transform((pairs): Partial<Record<VolumeRole, string>> => Object.fromEntries(pairs))
    .describe('comma-separated role:mount pairs (model, cache, output) whose free space is reported'),
  AGENT_STATE_DIR: z.string().default('/var/lib/renderwatch-agent').describe('where the agent keeps its spool and log offsets'),
  AGENT_METRICS_HOST: z.string().default('0.0.0.0').describe('address of the Prometheus /metrics endpoint'),
  AGENT_METRICS_PORT: port.default(9477).describe('Prometheus /metrics port (0 = off)'),
  AGENT_METRICS_COMPAT: list(`one of ${METRICS_COMPAT_MODES.join(', ')}`, (s) => METRICS_COMPAT_MODES.find((m) => m === s))
    .transform((modes) => [...new Set(modes)])
    .prefault('native')
    .describe(
      'GPU metric names on /metrics: native (renderwatch_gpu_*), dcgm (dcgm-exporter DCGM_FI_*), nvidia_gpu_exporter (nvidia_smi_*); combinable, e.g. dcgm,native (docs/metrics.md)',
    ),
  AGENT_OTLP_ENDPOINT: z
    .string()
    .default('')
    .describe(
      'OTLP metrics endpoint, e.g. http://otel-collector:4318 (http) or http://otel-collector:4317 (grpc); empty = OTLP export off unless OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT is set. The standard OTEL_* variables win over every AGENT_OTLP_* key (docs/metrics.md "OTLP")',
    ),
  AGENT_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf').describe('OTLP transport'),
  AGENT_OTLP_INTERVAL_MS: positiveInt.default(60_000).describe('how often OTLP metrics are exported, ms'),
  AGENT_OTLP_TIMEOUT_MS: positiveInt.default(10_000).describe('deadline of one OTLP export, ms'),
  AGENT_OTLP_HEADERS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const { pairs, bad } = parseKeyValues(v);
      for (const b of bad) ctx.addIssue({ code: 'custom', message: `"${b}" — expected key=value, the value URL-encoded` });
      return pairs;
    })
    .describe('comma-separated key=value headers sent with each OTLP export, values URL-encoded (redacted in logs)'),
  AGENT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
});

export type AgentConfig = Readonly<z.infer<typeof AgentConfigSchema>> & {
  readonly agentId: string;
  readonly hostname: string;
  /** The standard OpenTelemetry variables (OTEL_*) as set; they win over the AGENT_OTLP_* defaults (otlp/otlp-plan.ts). */
  readonly otelEnv: Readonly<Record<string, string>>;
};

/** The OTEL_* variables of an environment, empty values left out. */
export function otelEnvOf(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('OTEL_') && v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

export type AgentConfigResult = { ok: true; config: AgentConfig } | { ok: false; issues: string[] };

/** Maps `--collector-address x` style flags onto config keys (AGENT_COLLECTOR_ADDRESS). */
export function flagsToKeys(flags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(flags)) out[`AGENT_${k.replace(/-/g, '_').toUpperCase()}`] = v;
  return out;
}

/** Pure merge: flags > env > schema defaults. Unknown flags are reported, not ignored. */
export function resolveAgentConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: Readonly<Record<string, string>> = {},
  osHostname = hostname(),
): AgentConfigResult {
  const keys = Object.keys(AgentConfigSchema.shape);
  const fromFlags = flagsToKeys(flags);
  const issues: string[] = [];
  for (const k of Object.keys(fromFlags)) {
    if (!keys.includes(k)) issues.push(`unknown option --${k.slice(6).toLowerCase().replace(/_/g, '-')}`);
  }
  const picked: Record<string, string> = {};
  for (const k of keys) {
    const v = fromFlags[k] ?? env[k];
    if (v !== undefined && v !== '') picked[k] = v;
  }
  const r = AgentConfigSchema.safeParse(picked);
  if (!r.success) {
    for (const i of r.error.issues) issues.push(`${String(i.path[0])}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])])})`);
  }
  if (issues.length > 0 || !r.success) return { ok: false, issues };
  const host = r.data.AGENT_HOSTNAME ?? osHostname;
  return {
    ok: true,
    config: Object.freeze({ ...r.data, hostname: host, agentId: r.data.AGENT_ID ?? `agent-${host}`.slice(0, 128), otelEnv: Object.freeze(otelEnvOf(env)) }),
  };
}

/** Reads process.env (the only place in the agent that does). */
export function loadAgentConfig(flags: Readonly<Record<string, string>> = {}): AgentConfigResult {
  return resolveAgentConfig(process.env, flags);
}
