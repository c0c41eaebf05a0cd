import type { Alert } from '@renderwatch/schema';

export interface AlertLink {
  label: string;
  to: string;
}

/** Where an alert points: its SLO, host and GPU (from its labels). */
export function alertLinks(a: Alert): AlertLink[] {
  const out: AlertLink[] = [];
  if (a.source === 'slo') out.push({ label: `SLO ${a.labels['slo'] ?? a.rule}`, to: `/slos/${encodeURIComponent(a.labels['slo'] ?? a.rule)}` });
  const host = a.labels['host'] ?? a.labels['hostname'];
  if (host !== undefined) {
    const gpu = a.labels['gpu_index'] ?? a.labels['gpu'];
    out.push({ label: `host ${host}`, to: `/hosts/${encodeURIComponent(host)}` });
    if (gpu !== undefined) out.push({ label: `GPU ${gpu}`, to: `/hosts/${encodeURIComponent(host)}?gpu=${encodeURIComponent(gpu)}` });
  }
  return out;
}
