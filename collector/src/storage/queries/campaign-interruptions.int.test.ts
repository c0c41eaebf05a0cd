// Preemption notices and host silences of a campaign, read at the same time (campaigns.ts
// addInterruptions): a notice is attributed first, so it explains a silence around it; and the host
// minutes are read far enough past the campaign's last row to see a silence before a notice that
// came up to CAMPAIGN_IDLE_MS later (the notice extends the campaign's span). Real ClickHouse.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { splitTs } from '../../domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../clickhouse.js';
import { migrate } from '../migrate.js';
import { scoped } from '../scope.js';
import { raw } from '../sql.js';
import { queryCampaign, queryCampaigns } from './campaigns.js';

const TENANT = 'tenant-interruptions';
const db = `rw_interrupt_${randomBytes(4).toString('hex')}`;
let st: Storage;
/** On a whole minute, 3 h ago. */
const T = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
const at = (sec: number): number => T + sec * 1000;
let seq = 0;

function event(host: string, sec: number, e: Record<string, unknown>): Record<string, unknown> {
  return { tenant: TENANT, host, agent_id: `agent-${host}`, ...splitTs(at(sec)), batch_seq: 1, seq: seq++, runtime: 'comfyui', extensions: [], ...e };
}

/** Jobs of 90 s starting at each of `starts` (s), in campaign `id`. */
function jobs(host: string, id: string, starts: number[]): Record<string, unknown>[] {
  return starts.flatMap((s, i) => [
    event(host, s, { kind: 'job_start', job_id: `${id}-${i}`, campaign_id: id }),
    event(host, s + 90, { kind: 'job_end', job_id: `${id}-${i}`, campaign_id: id, job_key: `k${i}`, outcome: 'ok', images: 1 }),
  ]);
}

const notice = (host: string, sec: number): Record<string, unknown> => event(host, sec, { kind: 'campaign', campaign_id: '*', interruption: 'preemption' });

/** Host samples every 10 s over [fromS, toS). */
function samples(host: string, fromS: number, toS: number): Record<string, unknown>[] {
  return Array.from({ length: (toS - fromS) / 10 }, (_, i) => ({ tenant: TENANT, host, ...splitTs(at(fromS + i * 10)), batch_seq: 1, cpu_ratio: 0.5 }));
}

beforeAll(async () => {
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  st = createStorage(o);
  await migrate(st);
  // h-explained: jobs at 0, 100, 200 s and 490, 590 s; no host sample from 300 s to 480 s (minutes
  // 5-7), and a preemption notice at 470 s, inside that silence: the notice explains it.
  // h-later: jobs at 0, 100, 200 s (last row 290 s); no host sample from 300 s to 540 s; a notice at
  // 830 s (9 min after the last row, within CAMPAIGN_IDLE_MS): the silence (300-540 s) is in the
  // span the notice extends and 830 s is past its end + 2 min: a host_silent of its own.
  await st.insert('runtime_events', [
    ...jobs('h-explained', 'l-explained', [0, 100, 200, 490, 590]),
    notice('h-explained', 470),
    ...jobs('h-later', 'l-later', [0, 100, 200]),
    notice('h-later', 830),
  ]);
  await st.insert('host_samples', [
    ...samples('h-explained', -60, 300),
    ...samples('h-explained', 480, 720),
    ...samples('h-later', -60, 300),
    ...samples('h-later', 540, 900),
  ]);
});

afterAll(async () => {
  await st.close();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

const iso = (sec: number): string => new Date(at(sec)).toISOString();
const kinds = (c: { interruption_list: { kind: string; at: string }[] } | undefined): [string, string][] =>
  (c?.interruption_list ?? []).map((x) => [x.kind, x.at]);

describe('campaign interruptions: preemption notices and host silences read together', () => {
  const from = new Date(at(-3600));
  const to = new Date(at(3600));

  it('a preemption notice inside a silence explains it: one interruption, the preemption', async () => {
    const c = await queryCampaign(scoped(st, TENANT), 'l-explained', from, to, at(3600));
    expect(kinds(c)).toEqual([['preemption', iso(470)]]);
  });

  it('sees a silence in the span a later notice extends: host_silent at 540 s, then the preemption at 830 s', async () => {
    const c = await queryCampaign(scoped(st, TENANT), 'l-later', from, to, at(3600));
    expect(kinds(c)).toEqual([
      ['host_silent', iso(540)],
      ['preemption', iso(830)],
    ]);
    // the list answers the same interruptions (count) as the detail
    const list = await queryCampaigns(scoped(st, TENANT), {}, from, to, at(3600));
    expect(list.map((x) => [x.id, x.interruptions]).sort()).toEqual([
      ['l-explained', 1],
      ['l-later', 2],
    ]);
  });
});
