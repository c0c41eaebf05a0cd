// Shared set-up for benchmarks: a local ClickHouse in a temp dir (or RENDERWATCH_BENCH_CLICKHOUSE_URL),
// percentiles, and the machine line every report starts with.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startLocalClickHouse, type LocalClickHouse } from '@renderwatch/devkit';

export interface BenchClickHouse {
  url: string;
  close(): Promise<void>;
}

export async function benchClickHouse(): Promise<BenchClickHouse> {
  const external = process.env['RENDERWATCH_BENCH_CLICKHOUSE_URL'];
  if (external !== undefined && external !== '') return { url: external, close: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'rw-bench-ch-'));
  const ch: LocalClickHouse = await startLocalClickHouse({ dataDir: dir });
  return {
    url: ch.url,
    async close() {
      await ch.stop(3000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function machineLine(): string {
  const c = cpus();
  return `machine: ${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`;
}

/** CPU seconds and RSS of a process from /proc (Linux). */
export async function procStats(pid: number): Promise<{ cpuS: number; rssMb: number } | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(stat[11]) + Number(stat[12]);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuS: ticks / 100, rssMb: rssKb / 1024 };
  } catch {
    return undefined;
  }
}
