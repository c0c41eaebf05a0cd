// Groups finished ComfyUI prompts into campaigns (docs/signals.md "Campaigns") and notices what
// interrupts them. A prompt belongs to:
// - the campaign of its label (`extra_data.renderwatch_campaign`), whenever it runs: id `l-<hash of the label>`;
// - else the open campaign of its `client_id` + workflow fingerprint, when its start is within
//   `windowMs` of that campaign's last job; else a new one: id `c-<hash of client id, fingerprint, first start>`;
// - else (no client id or no graph) no campaign.
// The plan (planned jobs/images) is what extra_data declares, else the jobs reported plus the
// campaign's prompts seen waiting or running in /queue (the most seen). The records survive agent
// restarts (the adapter's state file), so a campaign keeps its id across them. Pure, no I/O.
import { createHash } from 'node:crypto';
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { DeclaredCampaign } from './label.js';

export type InterruptionKind = NonNullable<RuntimeEventOf<'campaign'>['interruption']>;

export interface CampaignRecord {
  key: string;
  id: string;
  label?: string;
  fingerprint?: string;
  firstAtMs: number;
  lastAtMs: number;
  /** Prompts reported in this campaign. */
  jobs: number;
  plannedJobs?: number;
  plannedImages?: number;
  /** The plan was declared in extra_data (the queue does not override it). */
  declared?: boolean;
  /** Prompt ids of this campaign waiting or running at the last /queue poll, not reported yet. */
  waiting: string[];
  /** Output files of its last jobs (at most OUTPUTS_KEPT; never sent): checked after a runtime or agent restart and when it ends. */
  outputs?: OutputFileRef[];
  /** Its outputs were checked when it ended (finishedOutputs): not again. */
  endChecked?: boolean;
}

export interface OutputFileRef {
  filename: string;
  subfolder: string;
  type: string;
}

/** Output files remembered per campaign. */
export const OUTPUTS_KEPT = 50;

/** A prompt as far as campaigns care: its id, what extra_data declares, the graph's fingerprint. */
export interface CampaignPrompt extends DeclaredCampaign {
  readonly promptId: string;
  readonly fingerprint?: string;
}

export interface CampaignTags {
  campaign_id?: string;
  workflow_fingerprint?: string;
}

export interface CampaignTracker {
  /** The campaign of a finished prompt that started at `atMs` (its output files remembered), and the campaign event to send when the campaign is new or its plan grew. */
  assign(p: CampaignPrompt, atMs: number, files?: readonly OutputFileRef[]): { tags: CampaignTags; events: RuntimeEvent[] };
  /** Output files of the campaigns open at `atMs`, by campaign id (to check after a runtime restart). */
  openOutputs(atMs: number): Map<string, OutputFileRef[]>;
  /** Prompts in /queue now (running and pending): the plan of open campaigns grows to what is seen. */
  queued(prompts: readonly CampaignPrompt[], atMs: number): RuntimeEvent[];
  /** The runtime came back or the agent started again: one interruption event per campaign open at `atMs`; `missing`: images found missing per campaign id (those files are not checked again). */
  interrupted(kind: InterruptionKind, atMs: number, missing?: ReadonlyMap<string, number>): RuntimeEvent[];
  /**
   * Campaigns that ended by `atMs` — every planned job reported and none waiting, or closed (idle past
   * the window, no planned work keeping it open) — not checked at their end yet, with their
   * remembered output files; each is marked checked (one end check per campaign).
   */
  finishedOutputs(atMs: number): Map<string, OutputFileRef[]>;
  /** The event recording an end-of-campaign check: images its jobs reported that are gone now. */
  endCheck(campaignId: string, missing: number, atMs: number): RuntimeEvent;
  /** For the state file, oldest first. */
  records(): CampaignRecord[];
}

export interface CampaignTrackerOptions {
  /** Gap between a campaign's last job and the next prompt's start that still continues it (default 10 min). */
  readonly windowMs?: number;
  /** A campaign with planned work left stays open this long after its last job (default 6 h). */
  readonly plannedOpenMs?: number;
  readonly initial?: readonly CampaignRecord[];
  /** Records kept (the oldest forgotten first; default 500). */
  readonly capacity?: number;
}

export const DEFAULT_CAMPAIGN_WINDOW_MS = 10 * 60_000;
const hex16 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
const iso = (ms: number): string => new Date(ms).toISOString();

function keyOf(p: CampaignPrompt): string | undefined {
  if (p.label !== undefined) return `l|${p.label}`;
  if (p.clientId !== undefined && p.fingerprint !== undefined) return `c|${p.clientId}|${p.fingerprint}`;
  return undefined;
}

export function createCampaignTracker(o: CampaignTrackerOptions = {}): CampaignTracker {
  const windowMs = o.windowMs ?? DEFAULT_CAMPAIGN_WINDOW_MS;
  const plannedOpenMs = o.plannedOpenMs ?? 6 * 3600_000;
  const capacity = o.capacity ?? 500;
  /** key → record, oldest first. */
  const byKey = new Map<string, CampaignRecord>();
  for (const r of o.initial ?? []) byKey.set(r.key, { ...r, waiting: [...r.waiting], ...(r.outputs === undefined ? {} : { outputs: [...r.outputs] }) });

  const remember = (r: CampaignRecord): void => {
    byKey.delete(r.key);
    byKey.set(r.key, r);
    while (byKey.size > capacity) {
      const oldest = byKey.keys().next();
      if (oldest.done === true) break;
      byKey.delete(oldest.value);
    }
  };

  const isOpen = (r: CampaignRecord, atMs: number): boolean => {
    const idle = atMs - r.lastAtMs;
    if (idle <= windowMs) return true;
    return r.plannedJobs !== undefined && r.jobs < r.plannedJobs && idle <= plannedOpenMs;
  };

  const planEvent = (r: CampaignRecord, atMs: number): RuntimeEventOf<'campaign'> => ({
    kind: 'campaign',
    runtime: 'comfyui',
    ts: iso(atMs),
    campaign_id: r.id,
    ...(r.label === undefined ? {} : { label: r.label }),
    ...(r.fingerprint === undefined ? {} : { workflow_fingerprint: r.fingerprint }),
    ...(r.plannedJobs === undefined ? {} : { planned_jobs: r.plannedJobs }),
    ...(r.plannedImages === undefined ? {} : { planned_images: r.plannedImages }),
  });

  return {
    assign(p, atMs, files = []) {
      const key = keyOf(p);
      const fp = p.fingerprint === undefined ? {} : { workflow_fingerprint: p.fingerprint };
      if (key === undefined) return { tags: fp, events: [] };
      let r = byKey.get(key);
      let changed = false;
      // a labelled campaign continues whenever its label comes back; an implicit one within the window
      if (r === undefined || (p.label === undefined && atMs - r.lastAtMs > windowMs)) {
        const id = p.label !== undefined ? `l-${hex16(p.label)}` : `c-${hex16(`${p.clientId ?? ''}\u0000${p.fingerprint ?? ''}\u0000${atMs}`)}`;
        r = {
          key,
          id,
          ...(p.label === undefined ? {} : { label: p.label }),
          ...(p.fingerprint === undefined ? {} : { fingerprint: p.fingerprint }),
          firstAtMs: atMs,
          lastAtMs: atMs,
          jobs: 0,
          waiting: [],
        };
        changed = true;
      }
      r.jobs++;
      r.lastAtMs = Math.max(r.lastAtMs, atMs);
      r.waiting = r.waiting.filter((id) => id !== p.promptId);
      if (files.length > 0) r.outputs = [...(r.outputs ?? []), ...files].slice(-OUTPUTS_KEPT);
      if (p.plannedJobs !== undefined && (r.declared !== true || p.plannedJobs !== r.plannedJobs)) {
        r.plannedJobs = p.plannedJobs;
        r.declared = true;
        changed = true;
      }
      if (p.plannedImages !== undefined && p.plannedImages !== r.plannedImages) {
        r.plannedImages = p.plannedImages;
        changed = true;
      }
      if (r.declared !== true && r.plannedJobs !== undefined && r.jobs > r.plannedJobs) {
        r.plannedJobs = r.jobs;
        changed = true;
      }
      if (r.fingerprint === undefined && p.fingerprint !== undefined) r.fingerprint = p.fingerprint;
      remember(r);
      return { tags: { campaign_id: r.id, ...fp }, events: changed ? [planEvent(r, atMs)] : [] };
    },

    queued(prompts, atMs) {
      const seen = new Map<CampaignRecord, string[]>();
      for (const p of prompts) {
        const key = keyOf(p);
        const r = key === undefined ? undefined : byKey.get(key);
        if (r === undefined || !isOpen(r, atMs)) continue;
        const ids = seen.get(r) ?? [];
        ids.push(p.promptId);
        seen.set(r, ids);
      }
      const out: RuntimeEvent[] = [];
      for (const r of byKey.values()) {
        const ids = seen.get(r);
        r.waiting = ids ?? [];
        if (ids === undefined || r.declared === true) continue;
        const planned = r.jobs + ids.length;
        if (planned > (r.plannedJobs ?? 0)) {
          r.plannedJobs = planned;
          out.push(planEvent(r, atMs));
        }
      }
      return out;
    },

    openOutputs(atMs) {
      const out = new Map<string, OutputFileRef[]>();
      for (const r of byKey.values()) if (isOpen(r, atMs) && (r.outputs ?? []).length > 0) out.set(r.id, [...(r.outputs ?? [])]);
      return out;
    },

    interrupted(kind, atMs, missing) {
      const out: RuntimeEvent[] = [];
      for (const r of byKey.values()) {
        if (!isOpen(r, atMs)) continue;
        const gone = missing?.get(r.id);
        out.push({
          kind: 'campaign',
          runtime: 'comfyui',
          ts: iso(atMs),
          campaign_id: r.id,
          interruption: kind,
          ...(kind === 'runtime_restart' ? { lost_jobs: r.waiting.length } : {}),
          ...(gone === undefined ? {} : { images_missing: gone }),
        });
        if (kind === 'runtime_restart') r.waiting = [];
        if (gone !== undefined) delete r.outputs; // checked: the next restart checks what came after
      }
      return out;
    },

    finishedOutputs(atMs) {
      const out = new Map<string, OutputFileRef[]>();
      for (const r of byKey.values()) {
        if (r.endChecked === true) continue;
        const planDone = r.plannedJobs !== undefined && r.jobs >= r.plannedJobs && r.waiting.length === 0;
        if (!planDone && isOpen(r, atMs)) continue;
        r.endChecked = true;
        if ((r.outputs ?? []).length > 0) out.set(r.id, [...(r.outputs ?? [])]);
        delete r.outputs;
      }
      return out;
    },

    endCheck: (campaignId, missing, atMs) => ({ kind: 'campaign', runtime: 'comfyui', ts: iso(atMs), campaign_id: campaignId, images_missing: missing }),

    records: () => [...byKey.values()].map((r) => ({ ...r, waiting: [...r.waiting], ...(r.outputs === undefined ? {} : { outputs: [...r.outputs] }) })),
  };
}
