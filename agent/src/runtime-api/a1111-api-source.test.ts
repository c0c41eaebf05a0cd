// The A1111/Forge batch adapter against a fake A1111 answering /sdapi/v1/progress as the real
// server does (agent/test/support/fake-a1111.ts): a batch count of 4 followed iteration by iteration
// (two finishing between polls), an interrupted batch, a server restart mid-batch, bad answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeA1111, type FakeA1111 } from '../../test/support/fake-a1111.js';
import { createA1111ApiSource, parseA1111Url } from './a1111-api-source.js';
import { batchCampaignId } from './a1111-progress.js';

const T0 = Date.UTC(2026, 11, 7, 15, 0, 0);
const S = 1000;
const at = (s: number): number => T0 + s * S;
const iso = (s: number): string => new Date(at(s)).toISOString();
const quiet = { warn: () => undefined, info: () => undefined };
const fakes: FakeA1111[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop().catch(() => undefined);
});

async function setup(runtime: 'a1111' | 'forge' = 'a1111'): Promise<{ f: FakeA1111; poll: (s: number) => Promise<RuntimeEvent[]> }> {
  let clock = at(0);
  const f = await startFakeA1111(() => clock);
  fakes.push(f);
  const src = createA1111ApiSource({ url: f.url, runtime, pollMs: 60_000, timeoutMs: 2000, log: quiet, now: () => clock });
  return {
    f,
    poll: async (s) => {
      clock = at(s);
      return src.pollOnce();
    },
  };
}

describe('createA1111ApiSource', () => {
  it('follows a batch count of 4: the plan, each iteration as a job (two ending between polls), the end', async () => {
    const { f, poll } = await setup();
    expect(await poll(0)).toEqual([]); // idle: job_count 0
    f.begin(at(0), 4, 20);
    const id = batchCampaignId(f.url, '20261207150000');
    const j = (n: number): string => `${id}/${n}`;
    const start = (n: number, s: number): RuntimeEvent => ({ kind: 'job_start', runtime: 'a1111', ts: iso(s), job_id: j(n), campaign_id: id });
    const end = (n: number, s: number, outcome: 'ok' | 'interrupted' = 'ok'): RuntimeEvent => ({
      kind: 'job_end',
      runtime: 'a1111',
      ts: iso(s),
      job_id: j(n),
      outcome,
      job_key: j(n),
      campaign_id: id,
    });
    expect(await poll(1)).toEqual([{ kind: 'campaign', runtime: 'a1111', ts: iso(1), campaign_id: id, planned_jobs: 4 }, start(1, 1)]);
    f.step(10);
    expect(await poll(15)).toEqual([]);
    f.nextjob(); // 30 s
    expect(await poll(31)).toEqual([end(1, 31), start(2, 31)]);
    f.nextjob(); // 60 s
    f.nextjob(); // 90 s: iterations 2 and 3 ended between two polls
    expect(await poll(91)).toEqual([end(2, 91), end(3, 91), start(4, 91)]);
    f.end(); // 120 s
    expect(await poll(121)).toEqual([end(4, 121)]);
    expect(await poll(125)).toEqual([]);
  });

  it('an interrupted batch ends its running iteration as interrupted; the rest never ran', async () => {
    const { f, poll } = await setup('forge');
    f.begin(at(0), 3, 20);
    const id = batchCampaignId(f.url, '20261207150000');
    await poll(1);
    f.nextjob();
    expect((await poll(31)).map((e) => [e.kind, e.kind === 'job_end' ? e.outcome : ''])).toEqual([
      ['job_end', 'ok'],
      ['job_start', ''],
    ]);
    f.interrupt();
    f.end();
    expect(await poll(41)).toEqual([
      { kind: 'job_end', runtime: 'forge', ts: iso(41), job_id: `${id}/2`, outcome: 'interrupted', job_key: `${id}/2`, campaign_id: id },
    ]);
  });

  it('a batch that ends between two polls: every iteration after the one seen running ended ok', async () => {
    const { f, poll } = await setup();
    f.begin(at(0), 3, 20);
    const id = batchCampaignId(f.url, '20261207150000');
    await poll(1);
    f.nextjob();
    f.nextjob();
    f.end();
    expect((await poll(100)).map((e) => [e.kind, e.kind === 'job_end' ? e.job_id : '', e.kind === 'job_end' ? e.outcome : ''])).toEqual([
      ['job_end', `${id}/1`, 'ok'],
      ['job_end', `${id}/2`, 'ok'],
      ['job_end', `${id}/3`, 'ok'],
    ]);
  });

  it('a server restart mid-batch is the batch campaign interruption, with the iterations not done lost', async () => {
    const { f, poll } = await setup();
    f.begin(at(0), 5, 20);
    const id = batchCampaignId(f.url, '20261207150000');
    await poll(1);
    f.nextjob();
    await poll(31); // iteration 1 done
    await f.stop();
    expect(await poll(45)).toEqual([]);
    await f.restart();
    // 5 planned, 1 done: 4 lost (the running 2nd and the 3 not started)
    expect(await poll(60)).toEqual([{ kind: 'campaign', runtime: 'a1111', ts: iso(60), campaign_id: id, interruption: 'runtime_restart', lost_jobs: 4 }]);
    expect(await poll(61)).toEqual([]);
  });

  it('an agent restart mid-batch: recorded on the batch (state file), the iteration that ended meanwhile reported once', async () => {
    let clock = at(0);
    const f = await startFakeA1111(() => clock);
    fakes.push(f);
    const dir = mkdtempSync(join(tmpdir(), 'rw-a1111-'));
    const source = (): ReturnType<typeof createA1111ApiSource> =>
      createA1111ApiSource({ url: f.url, runtime: 'a1111', pollMs: 60_000, timeoutMs: 2000, log: quiet, now: () => clock, stateDir: dir });
    const poll = async (src: ReturnType<typeof createA1111ApiSource>, s: number): Promise<string[]> => {
      clock = at(s);
      return (await src.pollOnce()).map(
        (e) =>
          `${e.kind}${e.kind === 'campaign' ? `:${e.interruption ?? 'plan'}` : ''}${'job_id' in e ? `:${String(e.job_id).split('/')[1]}` : ''}@${(Date.parse(e.ts ?? '') - T0) / S}`,
      );
    };
    f.begin(at(0), 4, 20);
    const first = source();
    expect(await poll(first, 1)).toEqual(['campaign:plan@1', 'job_start:1@1']);
    f.nextjob();
    expect(await poll(first, 31)).toEqual(['job_end:1@31', 'job_start:2@31']);
    first.stop();
    f.nextjob(); // iteration 2 ends at 60 s while the agent is down
    const second = source();
    expect(await poll(second, 75)).toEqual(['campaign:agent_restart@75', 'job_end:2@75', 'job_start:3@75']);
    expect(await poll(second, 80)).toEqual([]);
    f.nextjob();
    f.end();
    expect(await poll(second, 121)).toEqual(['job_end:3@121', 'job_end:4@121']);
    // ended: nothing open is left for a third start
    expect(await poll(source(), 130)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts answers it cannot use and logs each kind once; goes on polling', async () => {
    let reply = '{"progress": 0.5}';
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(reply));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const warns: object[] = [];
    const counted: string[] = [];
    const src = createA1111ApiSource({
      url,
      runtime: 'a1111',
      pollMs: 60_000,
      timeoutMs: 2000,
      log: { warn: (o) => warns.push(o), info: () => undefined },
      counter: { inc: (s) => counted.push(s) },
    });
    expect(await src.pollOnce()).toEqual([]);
    expect(await src.pollOnce()).toEqual([]);
    reply = 'not json';
    expect(await src.pollOnce()).toEqual([]);
    server.close();
    expect(counted).toEqual(['runtime_api', 'runtime_api', 'runtime_api']);
    expect(warns.map((w) => (w as { kind: string }).kind)).toEqual(['bad_shape', 'bad_answer']);
  });

  it('AGENT_A1111_URLS entries: a plain URL is A1111, forge@URL is Forge, anything else is refused', () => {
    expect(parseA1111Url('http://127.0.0.1:7860/')).toEqual({ url: 'http://127.0.0.1:7860', runtime: 'a1111' });
    expect(parseA1111Url('forge@http://gpu-3:7861')).toEqual({ url: 'http://gpu-3:7861', runtime: 'forge' });
    expect(parseA1111Url('gpu-3:7861')).toBeUndefined();
  });
});
