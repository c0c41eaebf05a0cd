import { describe, expect, it } from 'vitest';
import { createCampaignTracker } from './comfyui-campaigns.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const MIN = 60_000;
const p = (promptId: string, over: Record<string, unknown> = {}): { promptId: string; clientId: string; fingerprint: string } => ({
  promptId,
  clientId: 'client-a',
  fingerprint: 'fp-portrait',
  ...over,
});

function file(n: number): { filename: string; subfolder: string; type: string } {
  return { filename: `rw_${n}.png`, subfolder: '', type: 'output' };
}
describe('campaign grouping', () => {
  it('continues a client id + fingerprint campaign within the 10 min window and starts another after it', () => {
    const t = createCampaignTracker();
    const a = t.assign(p('1'), T0).tags.campaign_id;
    expect(a).toMatch(/^c-[0-9a-f]{16}$/);
    expect(t.assign(p('2'), T0 + 10 * MIN).tags.campaign_id).toBe(a); // exactly the window: same campaign
    const b = t.assign(p('3'), T0 + 20 * MIN + 1).tags.campaign_id; // 10 min + 1 ms after job 2
    expect(b).not.toBe(a);
    expect(t.records().map((r) => [r.id, r.jobs])).toEqual([[b, 1]]);
  });

  it('keeps another fingerprint or another client apart, even at the same moment', () => {
    const t = createCampaignTracker();
    const a = t.assign(p('1'), T0).tags.campaign_id;
    const other = t.assign(p('2', { fingerprint: 'fp-upscale' }), T0 + 1).tags.campaign_id;
    const client = t.assign(p('3', { clientId: 'client-b' }), T0 + 2).tags.campaign_id;
    expect(new Set([a, other, client]).size).toBe(3);
    expect(t.assign(p('4'), T0 + 3).tags).toEqual({ campaign_id: a, workflow_fingerprint: 'fp-portrait' });
  });

  it('groups a label whenever it comes back, across fingerprints, and sends its plan once', () => {
    const t = createCampaignTracker();
    const first = t.assign(p('1', { label: 'spring lookbook', plannedJobs: 40, plannedImages: 160 }), T0);
    expect(first.tags.campaign_id).toMatch(/^l-[0-9a-f]{16}$/);
    expect(first.events).toEqual([
      {
        kind: 'campaign',
        runtime: 'comfyui',
        ts: new Date(T0).toISOString(),
        campaign_id: first.tags.campaign_id,
        label: 'spring lookbook',
        workflow_fingerprint: 'fp-portrait',
        planned_jobs: 40,
        planned_images: 160,
      },
    ]);
    const later = t.assign(p('2', { label: 'spring lookbook', plannedJobs: 40, plannedImages: 160, fingerprint: 'fp-other' }), T0 + 24 * 60 * MIN);
    expect(later.tags.campaign_id).toBe(first.tags.campaign_id);
    expect(later.events).toEqual([]);
  });

  it('plans from /queue when nothing is declared: the jobs done plus those seen waiting or running', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1'), T0).tags.campaign_id;
    const queued = ['2', '3', '4', '5'].map((n) => p(n));
    expect(t.queued([...queued, p('x', { clientId: 'someone-else' })], T0 + MIN)).toEqual([
      { kind: 'campaign', runtime: 'comfyui', ts: new Date(T0 + MIN).toISOString(), campaign_id: id, workflow_fingerprint: 'fp-portrait', planned_jobs: 5 },
    ]);
    t.assign(p('2'), T0 + 2 * MIN);
    expect(t.queued(queued.slice(2), T0 + 3 * MIN)).toEqual([]); // 2 done + 2 waiting = 4 < 5: the plan does not shrink
  });
});

describe('campaign interruptions', () => {
  it('gives each open campaign one interruption; a runtime restart counts the prompts it took with it', () => {
    const t = createCampaignTracker();
    const open = t.assign(p('1'), T0).tags.campaign_id;
    t.assign(p('9', { clientId: 'old' }), T0 - 30 * MIN); // idle for 30 min: closed
    t.queued([p('2'), p('3'), p('4')], T0 + MIN);
    expect(t.interrupted('runtime_restart', T0 + 2 * MIN)).toEqual([
      { kind: 'campaign', runtime: 'comfyui', ts: new Date(T0 + 2 * MIN).toISOString(), campaign_id: open, interruption: 'runtime_restart', lost_jobs: 3 },
    ]);
    expect(t.interrupted('agent_restart', T0 + 3 * MIN)).toEqual([
      { kind: 'campaign', runtime: 'comfyui', ts: new Date(T0 + 3 * MIN).toISOString(), campaign_id: open, interruption: 'agent_restart' },
    ]);
  });

  it('remembers the output files of open campaigns and reports those found missing after a runtime restart once', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1'), T0, [file(1)]).tags.campaign_id ?? '';
    t.assign(p('2'), T0 + MIN, [file(2), file(3)]);
    expect(t.openOutputs(T0 + 2 * MIN)).toEqual(new Map([[id, [file(1), file(2), file(3)]]]));
    expect(t.interrupted('runtime_restart', T0 + 2 * MIN, new Map([[id, 1]]))).toMatchObject([{ campaign_id: id, images_missing: 1 }]);
    expect(t.openOutputs(T0 + 3 * MIN)).toEqual(new Map()); // checked: not counted again at the next restart
    expect(t.interrupted('runtime_restart', T0 + 3 * MIN)[0]).not.toHaveProperty('images_missing');
  });

  it('keeps a campaign with planned work left open beyond the window (up to 6 h)', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1', { label: 'night run', plannedJobs: 10 }), T0).tags.campaign_id;
    expect(t.interrupted('runtime_restart', T0 + 2 * 60 * MIN).map((e) => (e.kind === 'campaign' ? e.campaign_id : ''))).toEqual([id]);
    expect(t.interrupted('runtime_restart', T0 + 7 * 60 * MIN)).toEqual([]);
  });

  it('survives the agent: records restored keep the id and the count', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1'), T0).tags.campaign_id;
    const again = createCampaignTracker({ initial: t.records() });
    expect(again.assign(p('2'), T0 + MIN).tags.campaign_id).toBe(id);
    expect(again.records()[0]?.jobs).toBe(2);
  });
});

describe('campaign end check (images missing when a campaign ends)', () => {
  it('a declared plan: checked once when its last planned job is reported and nothing of it waits', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1', { label: 'lookbook', plannedJobs: 3 }), T0, [file(1)]).tags.campaign_id ?? '';
    t.assign(p('2', { label: 'lookbook', plannedJobs: 3 }), T0 + MIN, [file(2)]);
    expect(t.finishedOutputs(T0 + 2 * MIN)).toEqual(new Map()); // 2 of 3
    t.assign(p('3', { label: 'lookbook', plannedJobs: 3 }), T0 + 2 * MIN, [file(3)]);
    t.queued([p('4', { label: 'lookbook' })], T0 + 2 * MIN); // a 4th prompt of it still waits: not ended
    expect(t.finishedOutputs(T0 + 2 * MIN)).toEqual(new Map());
    t.queued([], T0 + 3 * MIN);
    expect(t.finishedOutputs(T0 + 3 * MIN)).toEqual(new Map([[id, [file(1), file(2), file(3)]]]));
    expect(t.finishedOutputs(T0 + 4 * MIN)).toEqual(new Map()); // once
    expect(t.records()[0]?.endChecked).toBe(true);
    expect(t.endCheck(id, 2, T0 + 3 * MIN)).toEqual({
      kind: 'campaign',
      runtime: 'comfyui',
      ts: new Date(T0 + 3 * MIN).toISOString(),
      campaign_id: id,
      images_missing: 2,
    });
  });

  it('an implicit campaign ends when it closes: idle past the window (10 min + 1 ms), not at exactly 10 min', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1'), T0, [file(1)]).tags.campaign_id ?? '';
    expect(t.finishedOutputs(T0 + 10 * MIN)).toEqual(new Map());
    expect(t.finishedOutputs(T0 + 10 * MIN + 1)).toEqual(new Map([[id, [file(1)]]]));
  });

  it('files checked at an agent restart are not counted again at the end; a restored checked campaign is not checked again', () => {
    const t = createCampaignTracker();
    const id = t.assign(p('1', { label: 'night', plannedJobs: 2 }), T0, [file(1), file(2)]).tags.campaign_id ?? '';
    expect(t.interrupted('agent_restart', T0 + MIN, new Map([[id, 1]]))).toEqual([
      { kind: 'campaign', runtime: 'comfyui', ts: new Date(T0 + MIN).toISOString(), campaign_id: id, interruption: 'agent_restart', images_missing: 1 },
    ]);
    t.assign(p('2', { label: 'night', plannedJobs: 2 }), T0 + 2 * MIN, [file(3)]);
    expect(t.finishedOutputs(T0 + 2 * MIN)).toEqual(new Map([[id, [file(3)]]]));
    const again = createCampaignTracker({ initial: t.records() });
    expect(again.finishedOutputs(T0 + 60 * MIN)).toEqual(new Map());
  });
});
