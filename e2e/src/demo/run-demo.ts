// `npm run demo`: a local ClickHouse (own data dir under .data/, own ports), the collector, a
// simulated fleet of 11 hosts plus one real agent process replaying recorded nvidia-smi output, and
// the dashboard URL. Ctrl-C stops everything it started, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCollectorConfig, startCollector } from '@renderwatch/collector';
import { startLocalClickHouse, type LocalClickHouse } from '@renderwatch/devkit';
import { createSimulatedFleet, demoFleetSpecs, demoLiveSpecs } from '@renderwatch/simulator';
import pino from 'pino';
import { runDemoHistory } from './demo-history.js';
import { demoOptions } from './demo-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function say(msg: string): void {
  process.stdout.write(`[demo] ${msg}\n`);
}

/** The demo's own database on a ClickHouse the user named: emptied, as the local one is. */
async function dropDemoDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username !== '')
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  const res = await fetch(u, { method: 'POST', headers, body: 'DROP DATABASE IF EXISTS renderwatch_demo' });
  if (!res.ok) throw new Error(`could not empty the demo database at ${u.origin}: ${res.status} ${(await res.text()).slice(0, 300)}`);
}

async function main(): Promise<number> {
  const parsed = demoOptions(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return parsed.help ? 0 : 2;
  }
  const o = parsed.options;
  const log = pino({ level: o.logLevel });
  let ch: LocalClickHouse | undefined;
  let clickhouseUrl = o.clickhouseUrl;
  if (clickhouseUrl === undefined) {
    const dataDir = join(ROOT, '.data', 'demo-clickhouse');
    // Each run starts from an empty database: the history is sent again for the new end time, and
    // on top of a previous run's it would count every job twice (and slow the server's start).
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(join(ROOT, '.data', 'demo-agent'), { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    say(`starting ClickHouse (fresh data in ${dataDir})`);
    ch = await startLocalClickHouse({ dataDir, ownProcessGroup: true });
    clickhouseUrl = ch.url;
    say(`ClickHouse up at ${ch.url} (pid ${ch.pid})`);
  } else {
    say(`using ClickHouse at ${clickhouseUrl}; replacing its database renderwatch_demo`);
    await dropDemoDatabase(clickhouseUrl);
  }
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: clickhouseUrl,
    COLLECTOR_CLICKHOUSE_DATABASE: 'renderwatch_demo',
    COLLECTOR_HOST: o.host,
    COLLECTOR_HTTP_PORT: String(o.port),
    COLLECTOR_GRPC_PORT: String(o.grpcPort),
    COLLECTOR_LOG_LEVEL: o.logLevel,
    COLLECTOR_SILENT_AFTER_S: '30',
    // list prices per GPU-hour of the demo's cards, so /cost has money in it
    COLLECTOR_GPU_PRICES: 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const collector = await startCollector(cfg.config, log);
  const grpcAddress = `127.0.0.1:${collector.grpcPort}`;
  say(`collector up: HTTP ${collector.httpPort}, gRPC ${collector.grpcPort}`);
  const t0 = Date.now();
  const story = demoFleetSpecs();
  const fleet = createSimulatedFleet({
    hosts: o.historyDays > 0 ? story.length : o.hosts - 1,
    address: grpcAddress,
    log: log.child({ module: 'simulator' }),
    seed: 42,
    ...(o.historyDays > 0 ? { specs: demoLiveSpecs(story) } : {}),
  });
  fleet.start();
  say(`simulated fleet of ${fleet.hosts.length} hosts sending to ${grpcAddress}`);
  // One real agent process, replaying recorded nvidia-smi output through the real daemon.
  const agent: ChildProcess = spawn(join(ROOT, 'agent', 'bin', 'renderwatch-agent'), ['run'], {
    env: {
      ...process.env,
      AGENT_COLLECTOR_ADDRESS: grpcAddress,
      AGENT_GPU_SOURCE: 'replay',
      // The H100 under load and idle, as recorded (agent/test/fixtures/nvidia-smi/SOURCES.md).
      AGENT_REPLAY_FILES: ['load', 'load', 'load', 'idle']
        .map((k) => join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', `h100-80gb-hbm3-driver590-query-gpu-${k}.csv`))
        .join(','),
      AGENT_HOSTNAME: 'replay-h100-node',
      AGENT_METRICS_PORT: '0',
      AGENT_STATE_DIR: join(ROOT, '.data', 'demo-agent'),
      AGENT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  say(`agent (replaying recorded nvidia-smi output) pid ${agent.pid ?? '?'}`);
  const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${collector.httpPort}/`;
  say('');
  say(`dashboard: ${url}`);
  say(`API:       ${url}api/v1/fleet    OpenAPI: ${url}openapi.json`);
  if (o.historyDays > 0) {
    say(`filling ${o.historyDays} day(s) of history through the agents' export path (pages fill in from the newest hour back)`);
    const h = await runDemoHistory({ cfg: cfg.config, collector, grpcAddress, baseUrl: url, days: o.historyDays, endMs: t0, log, say, specs: story });
    say(
      `history in: ${h.progress.rows.toLocaleString('en-US')} rows in ${(h.fillMs / 1000).toFixed(1)} s` +
        `${h.progress.failedBatches > 0 ? ` (${h.progress.failedBatches} batches refused)` : ''}; evaluator replayed ${h.ticks} instants in ` +
        `${(h.replayMs / 1000).toFixed(1)} s${h.acked === undefined ? '' : `; ${h.acked} acknowledged by demo-oncall`}; ready ${((Date.now() - t0) / 1000).toFixed(1)} s after start`,
    );
  }
  say('press Ctrl-C to stop everything');
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  say('stopping');
  agent.kill('SIGTERM');
  await fleet.stop(2000);
  await collector.stop();
  await ch?.stop(5000);
  if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  say('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[demo] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
