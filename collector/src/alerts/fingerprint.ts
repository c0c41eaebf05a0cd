import { createHash } from 'node:crypto';

/**
 * Deterministic alert identity: a hash of the tenant and the sorted label set. Every collector
 * replica computes the same fingerprint for the same condition, so their rows collapse in the
 * ReplacingMergeTree and Alertmanager sees one alert.
 */
export function alertFingerprint(tenant: string, labels: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  h.update(tenant);
  for (const k of Object.keys(labels).sort()) h.update(`\u0000${k}\u0001${labels[k] ?? ''}`);
  return h.digest('hex').slice(0, 16);
}
