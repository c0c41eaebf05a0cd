// The campaign_completion SLI (docs/signals.md "Campaigns"): the batch-completion SLO counted in
// campaigns, not only jobs. A campaign is valid once it ended (finished or stalled: no work for
// longer than the idle window), timed at its last activity; good when it finished with every
// planned job done and none failed. Running campaigns are not counted yet.
import type { CampaignSummary, SloSpec } from '@renderwatch/schema';
import type { Storage } from '../storage/clickhouse.js';
import { queryCampaigns } from '../storage/queries/campaigns.js';
import { scoped } from '../storage/scope.js';
import { countWindow, type Counts } from './evaluate.js';
import type { NamedWindow } from './sli-query.js';

export function campaignGood(c: CampaignSummary): boolean {
  return c.status === 'finished' && c.failed_jobs === 0 && (c.planned_jobs === null || c.done_jobs >= c.planned_jobs);
}

export async function campaignCounts(
  storage: Storage,
  tenant: string,
  spec: SloSpec,
  windows: readonly NamedWindow[],
  nowMs: number,
): Promise<Map<string, Counts>> {
  const longestS = Math.max(...windows.map((w) => w.seconds));
  const s = spec.selectors;
  const rows = await queryCampaigns(scoped(storage, tenant, { maxExecutionS: 30 }), {}, new Date(nowMs - longestS * 1000), new Date(nowMs + 1000), nowMs);
  const outcomes = rows
    .filter((c) => c.status !== 'running')
    .filter((c) => s.host === undefined || c.hosts.some((h) => s.host?.includes(h)))
    .filter((c) => s.runtime === undefined || s.runtime.includes(c.runtime))
    .map((c) => ({ tsMs: Date.parse(c.last_at), good: campaignGood(c) }));
  return new Map(windows.map((w) => [w.name, countWindow(outcomes, nowMs, w.seconds)]));
}
