// The campaign completion notice (docs/signals.md "Campaigns"): the `campaign_finished` rule kind
// has one instance per campaign that finished within the rule's window (default 1 h), so the alert
// pipeline fires it once, delivers it to the webhook / Alertmanager channels like any alert, and
// resolves it when the window has passed. The summary is the notice itself, e.g.
// "campaign spring lookbook finished: 4,812/4,820 images, 2 interruptions, resumed".
import type { CampaignSummary } from '@renderwatch/schema';
import { queryCampaigns } from '../storage/queries/campaigns.js';
import { scoped } from '../storage/scope.js';
import type { Storage } from '../storage/clickhouse.js';

export interface CampaignNoticeInstance {
  labels: Record<string, string>;
  value: number;
  summary: string;
}

const n = (v: number): string => v.toLocaleString('en-US');
/** Labels are label values downstream (Alertmanager, chat): kept short. */
const short = (s: string, max = 64): string => Array.from(s).slice(0, max).join('');

/** "campaign X finished: 4,812/4,820 images, 2 interruptions, resumed". */
export function campaignNotice(c: CampaignSummary): string {
  const name = c.label ?? c.id;
  const work =
    c.source === 'training_run'
      ? `${n(c.done_jobs)}/${n(c.planned_jobs ?? c.done_jobs)} epochs`
      : c.planned_images !== null
        ? `${n(c.images)}/${n(c.planned_images)} images`
        : `${n(c.images)} images, ${n(c.done_jobs)}/${n(c.planned_jobs ?? c.done_jobs)} jobs`;
  const stops = c.interruptions === 0 ? 'no interruptions' : `${n(c.interruptions)} interruption${c.interruptions === 1 ? '' : 's'}`;
  const after = c.resumed === null ? '' : c.resumed ? ', resumed' : ', restarted';
  const failed = c.failed_jobs > 0 ? `, ${n(c.failed_jobs)} failed` : '';
  return `campaign ${name} finished: ${work}${failed}, ${stops}${after}`;
}

/** Instances of a campaign_finished rule: campaigns whose last job ended within `windowS` before now and that are finished. */
export async function finishedCampaigns(storage: Storage, tenant: string, nowS: number, windowS: number): Promise<CampaignNoticeInstance[]> {
  const to = new Date((nowS + 1) * 1000);
  const from = new Date((nowS - windowS) * 1000);
  const rows = await queryCampaigns(scoped(storage, tenant), { status: 'finished' }, from, to, nowS * 1000);
  return rows
    .filter((c) => Date.parse(c.last_at) >= from.getTime())
    .map((c) => ({
      labels: { campaign: c.id, campaign_label: short(c.label ?? ''), runtime: c.runtime },
      value: c.source === 'training_run' ? c.done_jobs : c.images,
      summary: campaignNotice(c),
    }));
}
