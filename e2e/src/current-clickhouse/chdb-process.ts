// Starts ./chdb-http.ts (a current ClickHouse, 26.x, through chDB) in a child process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface CurrentClickHouse {
  url: string;
  version: string;
  stop(): Promise<void>;
}

/** Why chDB cannot run here, or undefined when it can (its platform library is installed). */
export function chdbMissing(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('chdb');
    return process.platform === 'linux' && process.arch === 'x64'
      ? undefined
      : `chDB's library is published for linux-x64 here, not ${process.platform}-${process.arch}`;
  } catch {
    return 'the chdb package is not installed (pnpm install)';
  }
}

export async function startCurrentClickHouse(): Promise<CurrentClickHouse> {
  const dir = await mkdtemp(join(tmpdir(), 'rw-chdb-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx/esm', join(HERE, 'chdb-http.ts'), join(dir, 'data')], {
    cwd: HERE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve(l));
    child.once('exit', (code) => reject(new Error(`chdb-http exited with ${code}: ${stderr.slice(0, 2000)}`)));
  });
  const { port, version } = JSON.parse(first) as { port: number; version: string };
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
