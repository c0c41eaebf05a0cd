// Options of `npm run demo`, from flags and environment (flags win).
export interface DemoOptions {
  port: number;
  grpcPort: number;
  host: string;
  hosts: number;
  /** Days of history sent before the fleet goes live (0 = none). */
  historyDays: number;
  clickhouseUrl: string | undefined;
  logLevel: 'info' | 'warn' | 'error';
}

export const DEMO_USAGE = `usage: npm run demo -- [--port 8470] [--grpc-port 8471] [--hosts 12] [--host 127.0.0.1] [--history-days 7]

Starts a local ClickHouse (data in .data/demo-clickhouse), the collector, a simulated fleet and one
real agent replaying recorded nvidia-smi output, then prints the dashboard URL. The fleet is the demo's story fleet (11 hosts); with --history-days N
(default 7, 0 = off) it first sends N days of history, newest hours first, through the agents' export
path, and the collector's evaluator is replayed over its last 8 hours. With --history-days 0,
--hosts N runs N-1 generic simulated hosts instead. Ctrl-C stops all.

environment: RENDERWATCH_DEMO_PORT, RENDERWATCH_DEMO_GRPC_PORT, RENDERWATCH_DEMO_HISTORY_DAYS, RENDERWATCH_CLICKHOUSE_URL (use an
existing ClickHouse instead of starting one). Each run starts from an empty demo database: the local one's data dir,
or the database renderwatch_demo on RENDERWATCH_CLICKHOUSE_URL, is replaced.`;

export type DemoOptionsResult = { ok: true; options: DemoOptions } | { ok: false; message: string; help: boolean };

export function demoOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DemoOptionsResult {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') return { ok: false, message: DEMO_USAGE, help: true };
    if (!a.startsWith('--')) return { ok: false, message: `unexpected argument ${a}\n\n${DEMO_USAGE}`, help: false };
    const [k, inline] = a.slice(2).split('=', 2);
    const v = inline ?? argv[++i];
    if (k === undefined || v === undefined) return { ok: false, message: `--${k ?? ''} needs a value\n\n${DEMO_USAGE}`, help: false };
    flags.set(k, v);
  }
  const int = (name: string, envKey: string, def: number, min: number, max: number): number | string => {
    const raw = flags.get(name) ?? env[envKey];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} must be an integer in ${min}..${max}, got ${raw}`;
  };
  const port = int('port', 'RENDERWATCH_DEMO_PORT', 8470, 0, 65535);
  const grpcPort = int('grpc-port', 'RENDERWATCH_DEMO_GRPC_PORT', 8471, 0, 65535);
  const hosts = int('hosts', 'RENDERWATCH_DEMO_HOSTS', 12, 2, 2000);
  const historyDays = int('history-days', 'RENDERWATCH_DEMO_HISTORY_DAYS', 7, 0, 30);
  for (const v of [port, grpcPort, hosts, historyDays]) if (typeof v === 'string') return { ok: false, message: v, help: false };
  const known = new Set(['port', 'grpc-port', 'hosts', 'host', 'history-days']);
  for (const k of flags.keys()) if (!known.has(k)) return { ok: false, message: `unknown option --${k}\n\n${DEMO_USAGE}`, help: false };
  return {
    ok: true,
    options: {
      port: port as number,
      grpcPort: grpcPort as number,
      hosts: hosts as number,
      historyDays: historyDays as number,
      host: flags.get('host') ?? '127.0.0.1',
      clickhouseUrl: env['RENDERWATCH_CLICKHOUSE_URL'] === '' ? undefined : env['RENDERWATCH_CLICKHOUSE_URL'],
      logLevel: 'warn',
    },
  };
}
