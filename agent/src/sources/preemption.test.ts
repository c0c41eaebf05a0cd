// Preemption notices from a fake metadata server built from the providers' documented responses
// (agent/test/support/fake-cloud-metadata.ts): each probe, the source (one event, once), failures
// counted and logged once, and the DMI detection that keeps the probe off elsewhere.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCloudMetadata, type FakeCloudMetadata } from '../../test/support/fake-cloud-metadata.js';
import { awsProbe, azureProbe, detectProvider, gcpProbe } from './preemption-providers.js';
import { buildPreemptionSources, createPreemptionSource } from './preemption.js';

const fakes: FakeCloudMetadata[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function fake(): Promise<FakeCloudMetadata> {
  const f = await startFakeCloudMetadata();
  fakes.push(f);
  return f;
}
function dmi(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'rw-dmi-'));
  dirs.push(d);
  mkdirSync(d, { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(d, k), `${v}\n`);
  return d;
}
const quietLog = { warn: () => undefined, info: () => undefined };

describe('preemption probes against the documented metadata responses', () => {
  it('GCP: instance/preempted FALSE → none, TRUE → a notice; asks with Metadata-Flavor: Google', async () => {
    const f = await fake();
    const probe = gcpProbe(f.url, 2000);
    expect(await probe()).toBeNull();
    f.preempt();
    expect(await probe()).toEqual({ provider: 'gcp', detail: 'instance/preempted TRUE' });
    expect(f.requests).toEqual(['GET /computeMetadata/v1/instance/preempted', 'GET /computeMetadata/v1/instance/preempted']);
  });

  it('AWS IMDSv2: token first; 404 → none; the instance-action → a notice; an expired token is fetched again', async () => {
    const f = await fake();
    const probe = awsProbe(f.url, 2000);
    expect(await probe()).toBeNull();
    f.expireTokens();
    f.preempt();
    expect(await probe()).toEqual({ provider: 'aws', detail: 'spot/instance-action terminate at 2017-09-18T08:22:00Z' });
    expect(f.requests).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/spot/instance-action',
      'GET /latest/meta-data/spot/instance-action', // 401: token expired
      'PUT /latest/api/token',
      'GET /latest/meta-data/spot/instance-action',
    ]);
  });

  it('Azure Scheduled Events: no events → none; a Preempt event → a notice with its NotBefore', async () => {
    const f = await fake();
    const probe = azureProbe(f.url, 2000);
    expect(await probe()).toBeNull();
    f.preempt();
    expect(await probe()).toEqual({ provider: 'azure', detail: 'scheduled event Preempt not before Mon, 07 Dec 2026 18:29:47 GMT' });
    expect(f.requests[0]).toBe('GET /metadata/scheduledevents?api-version=2020-07-01');
  });

  it('no answer (a 500, nothing listening) is undefined, never a notice', async () => {
    const f = await fake();
    f.failWith(500);
    expect(await gcpProbe(f.url, 2000)()).toBeUndefined();
    expect(await awsProbe(f.url, 2000)()).toBeUndefined();
    expect(await azureProbe(f.url, 2000)()).toBeUndefined();
    expect(await gcpProbe('http://127.0.0.1:9', 500)()).toBeUndefined();
  });
});

describe('createPreemptionSource', () => {
  it('emits one host-level preemption interruption (campaign id *) at the first notice, and only once', async () => {
    const f = await fake();
    const emitted: RuntimeEvent[] = [];
    const at = Date.UTC(2026, 11, 7, 18, 0, 0);
    const s = createPreemptionSource({ probe: gcpProbe(f.url, 2000), provider: 'gcp', pollMs: 60_000, log: quietLog, now: () => at });
    s.start((e) => emitted.push(e)); // probes once at start (not preempted yet)
    s.stop();
    expect(await s.pollOnce()).toEqual([]);
    f.preempt();
    const notice = { kind: 'campaign', runtime: 'host', ts: new Date(at).toISOString(), campaign_id: '*', interruption: 'preemption' };
    expect(await s.pollOnce()).toEqual([notice]);
    expect(await s.pollOnce()).toEqual([]);
    expect(emitted).toEqual([notice]);
  });

  it('counts every failed probe and logs the first only; the daemon goes on', async () => {
    const f = await fake();
    f.failWith(503);
    const warns: string[] = [];
    const counted: string[] = [];
    const s = createPreemptionSource({
      probe: azureProbe(f.url, 2000),
      provider: 'azure',
      pollMs: 60_000,
      log: { warn: (_o, m) => warns.push(m), info: () => undefined },
      counter: { inc: (src) => counted.push(src) },
    });
    expect(await s.pollOnce()).toEqual([]);
    expect(await s.pollOnce()).toEqual([]);
    expect(counted).toEqual(['runtime_api', 'runtime_api']);
    expect(warns).toEqual(['preemption probe got no answer from the metadata service (counted; logged once)']);
    f.failWith(undefined);
    f.preempt();
    expect((await s.pollOnce()).map((e) => (e.kind === 'campaign' ? e.interruption : ''))).toEqual(['preemption']);
  });
});

describe('which provider (AGENT_PREEMPTION_PROBE)', () => {
  it('auto reads the DMI strings: GCE, EC2 and Azure VMs are probed; bare metal and a plain Hyper-V VM are not', () => {
    expect(detectProvider(dmi({ sys_vendor: 'Google', product_name: 'Google Compute Engine' }))).toBe('gcp');
    expect(detectProvider(dmi({ sys_vendor: 'Amazon EC2', product_name: 'g5.xlarge' }))).toBe('aws');
    expect(
      detectProvider(dmi({ sys_vendor: 'Microsoft Corporation', product_name: 'Virtual Machine', chassis_asset_tag: '7783-7084-3265-9085-8269-3286-77' })),
    ).toBe('azure');
    expect(detectProvider(dmi({ sys_vendor: 'Microsoft Corporation', product_name: 'Virtual Machine', chassis_asset_tag: 'none' }))).toBeUndefined();
    expect(detectProvider(dmi({ sys_vendor: 'Supermicro', product_name: 'SYS-4029GP-TRT' }))).toBeUndefined();
    expect(detectProvider(join(tmpdir(), 'rw-no-such-dmi-dir'))).toBeUndefined();
  });

  it('off and an undetected auto start no source; a detected auto probes the metadata URL', async () => {
    const f = await fake();
    const cfg = { AGENT_PREEMPTION_POLL_MS: 5000, AGENT_PREEMPTION_METADATA_URL: f.url };
    expect(buildPreemptionSources({ ...cfg, AGENT_PREEMPTION_PROBE: 'off' }, quietLog, undefined, dmi({ sys_vendor: 'Amazon EC2' }))).toEqual([]);
    expect(buildPreemptionSources({ ...cfg, AGENT_PREEMPTION_PROBE: 'auto' }, quietLog, undefined, dmi({ sys_vendor: 'Supermicro' }))).toEqual([]);
    const [s] = buildPreemptionSources({ ...cfg, AGENT_PREEMPTION_PROBE: 'auto' }, quietLog, undefined, dmi({ sys_vendor: 'Amazon EC2' }));
    f.preempt();
    expect((await s?.pollOnce())?.length).toBe(1);
    expect(f.requests).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/spot/instance-action']);
    expect(f.requests).toHaveLength(2);
  });
});
