// Every SLI kind and every threshold/event rule against ClickHouse 18.16: rows seeded into the raw
// tables (the rollup views fill themselves), one evaluator tick, results read back over the API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw } from '@renderwatch/collector';
import { AlertListResponseSchema, SloListResponseSchema, type SloStatus, type VolumeRole } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const SLO_FILE = `version: renderwatch/v1
slos:
  - { name: jobs, indicator: { kind: job_success }, objective: 99, min_events: 1 }
  - { name: ooms, indicator: { kind: oom_free }, objective: 99, min_events: 1 }
  - { name: thermal, indicator: { kind: gpu_not_throttled }, objective: 98, min_events: 1 }
  - { name: durability, indicator: { kind: output_durability }, objective: 100, min_events: 1 }
  - { name: warm, indicator: { kind: warm_start, threshold: 5m }, objective: 99, min_events: 1 }
alerts:
  - { name: silent, kind: agent_silent, window: 5m }
  - { name: hot, kind: gpu_temperature, threshold: 87, window: 5m }
  - { name: xid, kind: gpu_xid, window: 15m }
  - { name: disk, kind: disk_fill, threshold: 0.9 }
  - { name: lost, kind: output_lost, window: 15m }
  - { name: oom-storm, kind: oom_storm, threshold: 5, window: 10m }
`;

const NOW = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const dt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const base = { tenant: 'default', agent_id: 'a1', ts_ms: 0 };

async function seed(insert: (table: string, rows: Record<string, unknown>[]) => Promise<void>): Promise<void> {
  await insert('hosts', [
    { tenant: 'default', host: 'h1', agent_id: 'a1', last_seen: dt(NOW) },
    { tenant: 'default', host: 'h2', agent_id: 'a2', last_seen: dt(NOW - 10 * 60_000) },
  ]);
  // 100 jobs on h1 in the last ~10 minutes: 90 ok (1 image each), 6 oom, 4 error
  const jobs = Array.from({ length: 100 }, (_, i) => ({
    ...base,
    host: 'h1',
    ts: dt(NOW - 120_000 - i * 5000),
    batch_seq: 1,
    seq: i,
    kind: 'job_end',
    runtime: 'comfyui',
    outcome: i < 90 ? 'ok' : i < 96 ? 'oom' : 'error',
    images: i < 90 ? 1 : 0,
  }));
  const ooms = Array.from({ length: 6 }, (_, i) => ({
    ...base,
    host: 'h1',
    ts: dt(NOW - 60_000 - i * 20_000),
    batch_seq: 2,
    seq: i,
    kind: 'oom',
    runtime: 'comfyui',
  }));
  // 89 of the 90 images reported were found on disk
  const written = [{ ...base, host: 'h1', ts: dt(NOW - 30_000), batch_seq: 3, seq: 0, kind: 'output_written', runtime: 'comfyui', images: 89 }];
  await insert('runtime_events', [...jobs, ...ooms, ...written]);
  // GPU 0: 100 busy samples, 5 thermally throttled (0x20); GPU 1: idle but at 90 °C for 5 minutes
  const gpu0 = Array.from({ length: 100 }, (_, i) => ({
    ...base,
    host: 'h1',
    ts: dt(NOW - i * 5000),
    gpu_index: 0,
    gpu_uuid: 'GPU-0',
    gpu_name: 'NVIDIA L40S',
    util_ratio: 0.9,
    temp_celsius: 60,
    clock_event_reasons: i < 5 ? 0x20 : 0,
    batch_seq: 4,
  }));
  const gpu1 = Array.from({ length: 30 }, (_, i) => ({
    ...base,
    host: 'h1',
    ts: dt(NOW - i * 9000),
    gpu_index: 1,
    gpu_uuid: 'GPU-1',
    gpu_name: 'NVIDIA L40S',
    util_ratio: 0,
    temp_celsius: 90,
    clock_event_reasons: 1,
    batch_seq: 4,
  }));
  await insert('gpu_samples', [...gpu0, ...gpu1]);
  await insert('gpu_status', [
    { ...base, host: 'h1', ts: dt(NOW - 60_000), gpu_index: 0, gpu_uuid: 'GPU-0', status: 'xid', xid: 79, detail: 'fallen off the bus', batch_seq: 5, seq: 0 },
  ]);
  await insert('host_samples', [
    {
      ...base,
      host: 'h1',
      ts: dt(NOW - 30_000),
      volume_mounts: ['/models', '/out'],
      // the roles as the agent sends them (agent/src/sampling/host.ts, schema VOLUME_ROLES)
      volume_roles: ['model', 'output'] satisfies VolumeRole[],
      volume_size_bytes: [1000, 1000],
      volume_free_bytes: [50, 500],
      batch_seq: 6,
    },
  ]);
}

describe('SLI kinds and alert rules evaluated on ClickHouse', () => {
  let dir: string;
  const env = (): Record<string, string> => ({
    COLLECTOR_SLO_FILE: join(dir, 'slos.yaml'),
    COLLECTOR_SLO_EVAL_INTERVAL_S: '0',
    COLLECTOR_ALERT_LEASE_SETTLE_MS: '200',
    COLLECTOR_REPLICA_ID: 'replica-a',
  });
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let slos: Map<string, SloStatus>;
  let clock = NOW;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-rules-'));
    await writeFile(join(dir, 'slos.yaml'), SLO_FILE);
    c = await startTestCollector(inject('clickhouseUrl'), env(), { now: () => clock });
    await seed((t, rows) => c.storage.insert(t, rows));
    const r = await c.evaluator.tick();
    expect(r).toMatchObject({ skipped: false, tenants: 1, slos: 5 });
    const body = SloListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/slos`)).json());
    slos = new Map(body.slos.map((s) => [s.name, s]));
  });

  afterAll(async () => {
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    // name, good, valid, status: 10% errors burn 10× (6h/30m pair > 6 → page); 6% OOM burns 6× (ticket);
    // 5% throttled of a 2% budget burns 2.5× (ticket); 1 lost image of 90 breaks a 100% objective
    ['jobs', 90, 100, 'page'],
    ['ooms', 94, 100, 'ticket'],
    ['thermal', 95, 100, 'ticket'],
    ['durability', 89, 90, 'breached'],
    ['warm', 0, 0, 'insufficient_data'],
  ])('computes %s as %i good of %i valid (%s)', (name, good, valid, status) => {
    expect(slos.get(name)).toMatchObject({ good, valid, status });
  });

  it('fires each rule for exactly the hosts, GPUs and volumes that break it', async () => {
    const body = AlertListResponseSchema.parse(await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/alerts?state=firing`)).json());
    const got = body.alerts
      .filter((a) => a.source === 'rule')
      .map((a) => [a.alertname, a.labels.host, a.labels.gpu ?? a.labels.mount ?? '', a.value])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(got).toEqual([
      ['AgentSilent', 'h2', '', 600],
      ['DiskNearlyFull', 'h1', '/models', 0.95],
      ['GpuTemperatureHigh', 'h1', '1', 90],
      ['GpuXidError', 'h1', '0', 79],
      ['OomStorm', 'h1', '', 6],
      ['OutputLost', 'h1', '', 1],
    ]);
    const sloAlerts = body.alerts
      .filter((a) => a.source === 'slo')
      .map((a) => `${a.rule}/${a.severity}`)
      .sort();
    expect(sloAlerts).toEqual(['jobs/critical', 'jobs/warning', 'ooms/warning', 'thermal/warning']);
  });

  it('serves the budget-over-time series of one SLO', async () => {
    const res = await fetch(
      `http://127.0.0.1:${c.httpPort}/api/v1/slos/jobs?from=${new Date(NOW - 3600_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`,
    );
    const body = (await res.json()) as { points: { sli: number; error_budget_remaining: number; burn_rate_1h: number }[] };
    expect(res.status).toBe(200);
    expect(body.points).toHaveLength(1);
    expect(body.points[0]?.sli).toBeCloseTo(0.9, 6);
    expect(body.points[0]?.error_budget_remaining).toBeCloseTo(1 - 10, 6);
    expect(body.points[0]?.burn_rate_1h).toBeCloseTo(10, 6);
  });

  it('lets one of two replicas evaluate an interval (lease)', async () => {
    clock = NOW + 5000;
    const other = await startTestCollector(
      inject('clickhouseUrl'),
      { ...env(), COLLECTOR_CLICKHOUSE_DATABASE: c.config.COLLECTOR_CLICKHOUSE_DATABASE, COLLECTOR_REPLICA_ID: 'replica-b' },
      { now: () => clock },
    );
    try {
      // both claim the same slot at the same instant: the earliest claim wins, ties go to the lower name
      const [a, b] = await Promise.all([c.evaluator.tick(), other.evaluator.tick()]);
      expect([a.skipped, b.skipped]).toEqual([false, true]);
      clock = NOW + 7000;
      expect((await other.evaluator.tick()).skipped).toBe(false);
    } finally {
      await other.stop();
    }
  });
});
