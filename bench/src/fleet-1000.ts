// fleet-1000: 1,000 agents connected to one collector at once, each sampling every second and
// flushing every 2 s through the real agent export path and real gRPC. The collector runs as its own
// process (bin/renderwatch-collector) so its CPU and memory are measured apart from the simulator.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@renderwatch/devkit';
import { createSimulatedFleet } from '@renderwatch/simulator';
import pino from 'pino';
import { benchClickHouse, machineLine, procStats } from './bench-env.js';

const HOSTS = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 40);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function waitHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function main(): Promise<void> {
  console.log(machineLine());
  const ch = await benchClickHouse();
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const collector = spawn(join(ROOT, 'collector', 'bin', 'renderwatch-collector'), ['serve'], {
    env: {
      ...process.env,
      COLLECTOR_CLICKHOUSE_URL: ch.url,
      COLLECTOR_CLICKHOUSE_DATABASE: 'rw_bench_fleet',
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_HTTP_PORT: String(httpPort),
      COLLECTOR_GRPC_PORT: String(grpcPort),
      COLLECTOR_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitHttp(`http://127.0.0.1:${httpPort}/readyz`, 60_000);
    const fleet = createSimulatedFleet({ hosts: HOSTS, address: `127.0.0.1:${grpcPort}`, log: pino({ level: 'error' }), seed: 1000, flushIntervalMs: 2000 });
    const gpus = fleet.hosts.reduce((n, h) => n + h.spec.gpuCount, 0);
    console.log(`fleet: ${HOSTS} agents, ${gpus} GPUs, one sample per GPU per second, a batch per agent every 2 s`);
    fleet.start();
    const warm = SECONDS / 4;
    await new Promise((r) => setTimeout(r, warm * 1000));
    const s0 = await procStats(collector.pid ?? -1);
    const a0 = { ...fleet.stats };
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, (SECONDS - warm) * 1000));
    const s1 = await procStats(collector.pid ?? -1);
    const a1 = { ...fleet.stats };
    const dt = (Date.now() - t0) / 1000;
    await fleet.stop(15_000);
    const fr = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/fleet`)).json()) as { hosts: unknown[] };
    const ackedPerS = (a1.batchesAcked - a0.batchesAcked) / dt;
    const expectedPerS = HOSTS / 2;
    console.log(
      `batches acked: ${ackedPerS.toFixed(0)}/s of ${expectedPerS.toFixed(0)}/s offered; rows acked: ${((a1.rowsAcked - a0.rowsAcked) / dt).toFixed(0)}/s`,
    );
    console.log(`retries: ${a1.retries}, refused: ${a1.failed}, still queued at stop: ${a1.batchesSent - a1.batchesAcked - a1.failed}`);
    if (s0 !== undefined && s1 !== undefined) {
      console.log(`collector process: ${(((s1.cpuS - s0.cpuS) / dt) * 100).toFixed(0)}% of one core, RSS ${s1.rssMb.toFixed(0)} MB`);
    }
    console.log(`hosts listed by /api/v1/fleet: ${fr.hosts.length}`);
    console.log(
      `fleet-1000: ${fr.hosts.length}/${HOSTS} agents delivering, ${((ackedPerS / expectedPerS) * 100).toFixed(0)}% of offered batches acked in steady state (target 1,000 agents connected at once)`,
    );
  } finally {
    collector.kill('SIGTERM');
    await new Promise((r) => collector.once('exit', r));
    await ch.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
