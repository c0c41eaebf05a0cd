// Debian's ZooKeeper (package `zookeeper`) started standalone on its own client port and data dir,
// for replicated ClickHouse tables and the distributed DDL queue in tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';

/** The Debian package installs its jar here (its Class-Path names the other jars) and scripts under ZOOKEEPER_HOME. */
export const ZOOKEEPER_HOME = '/usr/share/zookeeper';
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const JAVA_BINARIES = ['/usr/bin/java'];

export interface LocalZooKeeperOptions {
  /** Data directory (created); snapshots, logs and zoo.cfg go under it. */
  dataDir: string;
  clientPort?: number;
  /** How long to wait for `ruok` → `imok`, ms. */
  startTimeoutMs?: number;
  /** JVM heap cap, MB (ZooKeeper for tests needs little). */
  heapMb?: number;
}

export interface LocalZooKeeper {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Undefined when ZooKeeper or java is missing; otherwise the java binary to run it with. */
export function findZooKeeper(): { java: string } | undefined {
  if (!existsSync(ZOOKEEPER_HOME) || !existsSync(ZOOKEEPER_JAR)) return undefined;
  const java = JAVA_BINARIES.find((p) => existsSync(p));
  return java === undefined ? undefined : { java };
}

/** zoo.cfg for a standalone server bound to loopback, without the admin HTTP server (it takes port 8080). */
export function zooCfg(dataDir: string, clientPort: number): string {
  return [
    'tickTime=500',
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    'clientPortAddress=127.0.0.1',
    'maxClientCnxns=0',
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,stat',
    'autopurge.purgeInterval=0',
    '',
  ].join('\n');
}

/** Sends a four-letter word and returns the answer ('' when the server is not there). */
export function fourLetterWord(port: number, word: string, timeoutMs = 500): Promise<string> {
  return new Promise((res) => {
    let out = '';
    const s = connect(port, '127.0.0.1', () => s.write(word));
    s.setTimeout(timeoutMs, () => s.destroy());
    s.on('data', (b: Buffer) => {
      out += b.toString();
    });
    s.on('error', () => res(''));
    s.on('close', () => res(out));
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts a standalone ZooKeeper and waits until it serves requests (`stat` reports a Mode; `ruok` answers before that). */
export async function startLocalZooKeeper(opts: LocalZooKeeperOptions): Promise<LocalZooKeeper> {
  const found = findZooKeeper();
  if (found === undefined) {
    throw new Error('ZooKeeper is not installed: run `apt-get install -y zookeeper` as root (it brings java)');
  }
  const port = opts.clientPort ?? (await freePort());
  const dataDir = resolve(opts.dataDir);
  await mkdir(join(dataDir, 'data'), { recursive: true });
  const cfgPath = join(dataDir, 'zoo.cfg');
  await writeFile(cfgPath, zooCfg(join(dataDir, 'data'), port));
  const args = [
    `-Xmx${opts.heapMb ?? 192}m`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    ZOOKEEPER_JAR,
    'org.apache.zookeeper.server.ZooKeeperServerMain',
    cfgPath,
  ];
  const child = spawn(found.java, args, { cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 8000) stderr += b.toString();
  });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (!/^Mode: /m.test(await fourLetterWord(port, 'stat'))) {
    if (child.exitCode !== null) throw new Error(`zookeeper exited with code ${child.exitCode} at start: ${stderr.slice(0, 2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`zookeeper did not serve on 127.0.0.1:${port} within the start timeout`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    pid: child.pid ?? -1,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await waitExit(child);
      clearTimeout(timer);
    },
  };
}
