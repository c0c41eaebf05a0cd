// Shared set-up of the dashboard browser tests: a seeded collector (virtual hosts backfilled over
// the last minutes through the real gRPC path), the built dashboard, and Debian's Chromium.
// Side-effect free at import.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import type { ExportRequest } from '@renderwatch/proto';
import { createRng, createVirtualHost, fleetSpecs } from '@renderwatch/simulator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DASHBOARD_DIST = join(ROOT, 'dashboard', 'dist');

/** Builds dashboard/dist when it is missing (vite build, ~3 s). */
export function ensureDashboardBuilt(force = false): void {
  if (!force && existsSync(join(DASHBOARD_DIST, 'index.html'))) return;
  const r = spawnSync('pnpm', ['--filter', '@renderwatch/dashboard', 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dashboard build failed: ${r.stderr}`);
}

export interface BackfillOptions {
  /** host:port of the collector's gRPC endpoint. */
  address: string;
  token?: string;
  hosts: number;
  /** How far back the history starts, ms before `now`. */
  historyMs: number;
  /** One sample per GPU every `stepMs`. */
  stepMs: number;
  now?: number;
  seed?: number;
}

export interface BackfillResult {
  hostnames: string[];
  batches: number;
  rows: number;
}

/**
 * Steps virtual hosts over [now − historyMs, now] and sends their batches in order, per host, through
 * the real Export path. Deterministic for a given seed and `now`.
 */
export async function backfillFleet(o: BackfillOptions): Promise<BackfillResult> {
  const now = o.now ?? Date.now();
  const from = now - o.historyMs;
  const specs = fleetSpecs(o.hosts, o.seed ?? 1);
  const client = createExportClient({ address: o.address, ...(o.token === undefined ? {} : { token: o.token }) });
  let batches = 0;
  let rows = 0;
  try {
    await Promise.all(
      specs.map(async (spec, i) => {
        const out: ExportRequest[] = [];
        const vh = createVirtualHost(spec, createRng(1000 + i), from);
        const b = createBatcher({
          agentId: `sim-${spec.hostname}`,
          host: {
            hostname: spec.hostname,
            driverVersion: spec.driverVersion,
            cudaVersion: '12.8',
            agentVersion: '0.1.0-sim',
            labels: { group: spec.hot ? 'rack-b' : 'rack-a' },
          },
          firstSeq: 1,
          maxRows: 2000,
          flushIntervalMs: 3_600_000,
          deliver: (req) => out.push(req),
        });
        for (let t = from; t <= now; t += o.stepMs) {
          const r = vh.step(t);
          b.addGpus(r.gpus);
          b.addHost(r.host);
          for (const e of r.events) b.addEvent(e);
        }
        b.flush();
        for (const req of out) {
          const r = await client.send(req, 60_000);
          if (r.status !== 'ok') throw new Error(`backfill of ${spec.hostname} failed: ${r.error.message}`);
          batches++;
          rows += r.response.acceptedRows;
        }
      }),
    );
  } finally {
    client.close();
  }
  return { hostnames: specs.map((s) => s.hostname), batches, rows };
}
