import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';

/** Where Debian's clickhouse-server package puts the binary. */
export const CLICKHOUSE_SERVER_BINARIES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

export interface LocalClickHouseOptions {
  /** Data directory (created). Everything the server writes goes under it. */
  dataDir: string;
  httpPort?: number;
  tcpPort?: number;
  interserverPort?: number;
  /** Extra XML placed inside <yandex> (remote_servers, zookeeper, macros...). */
  extraConfigXml?: string;
  /** How long to wait for /ping before giving up, ms. */
  startTimeoutMs?: number;
  /**
   * Runs the server in its own process group, so a terminal's Ctrl-C reaches only the caller, which
   * then stops the server last (the demo: its collector keeps answering while the fleet stops). The
   * server is still killed when the calling process exits.
   */
  ownProcessGroup?: boolean;
}

export interface LocalClickHouse {
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly interserverPort: number;
  readonly pid: number;
  readonly dataDir: string;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (for crash tests). */
  kill(): Promise<void>;
}

export function findClickHouseBinary(): string | undefined {
  return CLICKHOUSE_SERVER_BINARIES.find((p) => existsSync(p));
}

function configXml(o: Required<Omit<LocalClickHouseOptions, 'extraConfigXml' | 'startTimeoutMs' | 'ownProcessGroup'>> & { extra: string }): string {
  const d = resolve(o.dataDir);
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${d}/log/server.log</log><errorlog>${d}/log/server.err.log</errorlog><size>10M</size><count>2</count></logger>
  <http_port>${o.httpPort}</http_port>
  <tcp_port>${o.tcpPort}</tcp_port>
  <interserver_http_port>${o.interserverPort}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>4096</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>200</max_concurrent_queries>
  <uncompressed_cache_size>134217728</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  ${o.extra}
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>in_order</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
    return res.ok;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

/**
 * Starts the operating system's clickhouse-server on its own ports and data dir and waits until it
 * answers /ping. Throws an Error whose message says what to do when the binary is missing.
 */
export async function startLocalClickHouse(opts: LocalClickHouseOptions): Promise<LocalClickHouse> {
  const bin = findClickHouseBinary();
  if (bin === undefined) {
    throw new Error(
      'clickhouse-server is not installed: run `apt-get install -y clickhouse-server` as root, ' +
        'or point RENDERWATCH_CLICKHOUSE_URL at an existing ClickHouse',
    );
  }
  const httpPort = opts.httpPort ?? (await freePort());
  const tcpPort = opts.tcpPort ?? (await freePort());
  const interserverPort = opts.interserverPort ?? (await freePort());
  const dataDir = resolve(opts.dataDir);
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) {
    await mkdir(join(dataDir, sub), { recursive: true });
  }
  const cfgPath = join(dataDir, 'config.xml');
  await writeFile(cfgPath, configXml({ dataDir, httpPort, tcpPort, interserverPort, extra: opts.extraConfigXml ?? '' }));
  await writeFile(join(dataDir, 'users.xml'), USERS_XML);
  const child = spawn(bin, ['--config-file', cfgPath], { cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'], detached: opts.ownProcessGroup === true });
  if (opts.ownProcessGroup === true) {
    const killOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
  }
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 8000) stderr += b.toString();
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (!(await ping(url))) {
    if (child.exitCode !== null) {
      throw new Error(`clickhouse-server exited with code ${child.exitCode} at start: ${stderr.slice(0, 2000)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clickhouse-server did not answer /ping on ${url} within the start timeout`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid ?? -1;
  return {
    url,
    httpPort,
    tcpPort,
    interserverPort,
    pid,
    dataDir,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await waitExit(child);
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await waitExit(child);
    },
  };
}
