// Cloud preemption / spot-termination notices, from each provider's instance metadata service
// (docs/signals.md "Preemption"). Each probe asks one documented endpoint and says whether a notice
// is there now; it never throws (no answer = undefined, counted by the caller):
// - GCP: `GET /computeMetadata/v1/instance/preempted` with `Metadata-Flavor: Google` → text `TRUE`
//   once the VM is being preempted, `FALSE` otherwise.
// - AWS (IMDSv2): `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` → a session
//   token; `GET /latest/meta-data/spot/instance-action` with `X-aws-ec2-metadata-token` → 404 while
//   no action is scheduled, 200 `{"action": "terminate"|"stop"|"hibernate", "time": "<ISO>"}` two
//   minutes before it; 401 = the token expired (fetch another).
// - Azure Scheduled Events: `GET /metadata/scheduledevents?api-version=2020-07-01` with
//   `Metadata: true` → `{"DocumentIncarnation": n, "Events": [{"EventType": "Preempt", "NotBefore":
//   "<RFC 1123>", ...}]}`; a `Preempt` event is the spot eviction notice (≥ 30 s ahead).
// Which provider: AGENT_PREEMPTION_PROBE, or `auto` from the DMI strings in /sys/class/dmi/id
// (a file read, no network: a host that is not a GCP/AWS/Azure VM is never probed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PREEMPTION_PROVIDERS = ['gcp', 'aws', 'azure'] as const;
export type PreemptionProvider = (typeof PREEMPTION_PROVIDERS)[number];

export const DEFAULT_METADATA_URLS: Readonly<Record<PreemptionProvider, string>> = {
  gcp: 'http://metadata.google.internal',
  aws: 'http://169.254.169.254',
  azure: 'http://169.254.169.254',
};

/** A notice seen: the provider and what it said (action, scheduled time) for the log. */
export interface PreemptionNotice {
  provider: PreemptionProvider;
  detail: string;
}

export type PreemptionProbe = () => Promise<PreemptionNotice | null | undefined>;

/**
 * The provider from DMI strings (`sys_vendor`, `product_name`, `bios_vendor`, `chassis_asset_tag`):
 * Google Compute Engine, Amazon EC2, and Azure (Microsoft's "Virtual Machine" with Azure's chassis
 * asset tag 7783-7084-3265-9085-8269-3286-77). Undefined elsewhere (bare metal, other clouds, a
 * plain Hyper-V VM).
 */
export function detectProvider(dmiDir = '/sys/class/dmi/id'): PreemptionProvider | undefined {
  const read = (f: string): string => {
    try {
      return readFileSync(join(dmiDir, f), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const vendor = read('sys_vendor');
  const product = read('product_name');
  if (product === 'Google Compute Engine' || vendor === 'Google') return 'gcp';
  if (vendor === 'Amazon EC2' || read('bios_vendor') === 'Amazon EC2') return 'aws';
  if (vendor === 'Microsoft Corporation' && read('chassis_asset_tag') === '7783-7084-3265-9085-8269-3286-77') return 'azure';
  return undefined;
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

export function gcpProbe(base: string, timeoutMs: number): PreemptionProbe {
  return async () => {
    const r = await request(`${base}/computeMetadata/v1/instance/preempted`, { headers: { 'Metadata-Flavor': 'Google' } }, timeoutMs);
    if (r === undefined || r.status !== 200) return undefined;
    const v = r.text.trim().toUpperCase();
    if (v === 'TRUE') return { provider: 'gcp', detail: 'instance/preempted TRUE' };
    return v === 'FALSE' ? null : undefined;
  };
}

export function awsProbe(base: string, timeoutMs: number): PreemptionProbe {
  let token: string | undefined;
  const getToken = async (): Promise<string | undefined> => {
    const r = await request(`${base}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } }, timeoutMs);
    return r?.status === 200 && r.text !== '' ? r.text : undefined;
  };
  const ask = async (t: string): Promise<{ status: number; text: string } | undefined> =>
    request(`${base}/latest/meta-data/spot/instance-action`, { headers: { 'X-aws-ec2-metadata-token': t } }, timeoutMs);
  return async () => {
    token ??= await getToken();
    if (token === undefined) return undefined;
    let r = await ask(token);
    if (r?.status === 401) {
      token = await getToken();
      if (token === undefined) return undefined;
      r = await ask(token);
    }
    if (r === undefined) return undefined;
    if (r.status === 404) return null;
    if (r.status !== 200) return undefined;
    try {
      const body = JSON.parse(r.text) as { action?: unknown; time?: unknown };
      if (typeof body.action !== 'string') return undefined;
      return { provider: 'aws', detail: `spot/instance-action ${body.action}${typeof body.time === 'string' ? ` at ${body.time}` : ''}` };
    } catch {
      return undefined;
    }
  };
}

export function azureProbe(base: string, timeoutMs: number): PreemptionProbe {
  return async () => {
    const r = await request(`${base}/metadata/scheduledevents?api-version=2020-07-01`, { headers: { Metadata: 'true' } }, timeoutMs);
    if (r === undefined || r.status !== 200) return undefined;
    try {
      const body = JSON.parse(r.text) as { Events?: unknown };
      if (!Array.isArray(body.Events)) return undefined;
      const pre = (body.Events as { EventType?: unknown; NotBefore?: unknown }[]).find((e) => e?.EventType === 'Preempt');
      if (pre === undefined) return null;
      return {
        provider: 'azure',
        detail: `scheduled event Preempt${typeof pre.NotBefore === 'string' && pre.NotBefore !== '' ? ` not before ${pre.NotBefore}` : ''}`,
      };
    } catch {
      return undefined;
    }
  };
}

export function probeFor(provider: PreemptionProvider, base: string | undefined, timeoutMs: number): PreemptionProbe {
  const url = (base ?? DEFAULT_METADATA_URLS[provider]).replace(/\/+$/, '');
  return provider === 'gcp' ? gcpProbe(url, timeoutMs) : provider === 'aws' ? awsProbe(url, timeoutMs) : azureProbe(url, timeoutMs);
}
