// The campaign fields a user may put in a ComfyUI prompt's `extra_data` (docs/signals.md
// "Campaigns"). They are untrusted input: a label is cut at CAMPAIGN_LABEL_MAX code points with
// control characters dropped; counts must be whole numbers in range, or they are ignored.
import { CAMPAIGN_LABEL_MAX } from '@renderwatch/schema';

/** `extra_data.renderwatch_campaign`: the campaign's label (a string). */
export const CAMPAIGN_LABEL_KEY = 'renderwatch_campaign';
/** `extra_data.renderwatch_campaign_jobs` / `_images`: the planned number of jobs / images. */
export const CAMPAIGN_JOBS_KEY = 'renderwatch_campaign_jobs';
export const CAMPAIGN_IMAGES_KEY = 'renderwatch_campaign_images';

const MAX_PLANNED = 10_000_000;

/** C0 and C1 control characters (newlines, escapes, NUL). */
const isControl = (ch: string): boolean => {
  const c = ch.codePointAt(0) ?? 0;
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
};

export function cleanLabel(v: unknown, max = CAMPAIGN_LABEL_MAX): string | undefined {
  if (typeof v !== 'string') return undefined;
  const text = Array.from(v.trim())
    .filter((ch) => !isControl(ch))
    .slice(0, max)
    .join('');
  return text === '' ? undefined : text;
}

export function cleanCount(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_PLANNED ? v : undefined;
}

/** What a prompt's extra_data says about its campaign (nothing else of extra_data is read). */
export interface DeclaredCampaign {
  readonly clientId?: string;
  readonly label?: string;
  readonly plannedJobs?: number;
  readonly plannedImages?: number;
}

export function declaredCampaign(extra: unknown): DeclaredCampaign {
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) return {};
  const e = extra as Record<string, unknown>;
  const clientId = cleanLabel(e['client_id'], 128);
  const label = cleanLabel(e[CAMPAIGN_LABEL_KEY]);
  const plannedJobs = cleanCount(e[CAMPAIGN_JOBS_KEY]);
  const plannedImages = cleanCount(e[CAMPAIGN_IMAGES_KEY]);
  return {
    ...(clientId === undefined ? {} : { clientId }),
    ...(label === undefined ? {} : { label }),
    ...(plannedJobs === undefined ? {} : { plannedJobs }),
    ...(plannedImages === undefined ? {} : { plannedImages }),
  };
}
