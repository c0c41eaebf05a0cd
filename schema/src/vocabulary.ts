// Enums the agent, the collector, the Prometheus rules (deploy/prometheus/rules) and the
// Alertmanager routes (deploy/alertmanager/alertmanager.yml) share. Defined once here; the deploy
// files are checked against these lists by e2e/src/deploy-alert-routing.int.test.ts.
import { z } from 'zod';

/**
 * Alert severities, in the Prometheus community's vocabulary: `critical` pages someone now,
 * `warning` opens a ticket, `info` is for dashboards only. The collector's SLO burn alerts use
 * `critical` for the page pairs and `warning` for the ticket pair.
 */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Names of earlier releases (Sloth's `page`/`ticket`), still accepted in SLO files and mapped here. */
export const LEGACY_SEVERITIES: Readonly<Record<string, AlertSeverity>> = { page: 'critical', ticket: 'warning' };

/** A severity as written in an SLO file: one of ALERT_SEVERITIES, or a legacy name mapped to one. */
export const AlertSeveritySchema = z.preprocess((v) => (typeof v === 'string' ? (LEGACY_SEVERITIES[v] ?? v) : v), z.enum(ALERT_SEVERITIES));

/** Severity of the collector's SLO burn alert per burn-rate class (docs/slos.md). */
export const SLO_BURN_SEVERITY: Readonly<Record<'page' | 'ticket', AlertSeverity>> = { page: 'critical', ticket: 'warning' };

/**
 * Roles of the volumes the agent watches (proto HostSample volume_roles, the collector's
 * disk_fill rule, the agent's renderwatch_host_volume_* label `role`). Singular, as the agent sends them.
 */
export const VOLUME_ROLES = ['model', 'cache', 'output', 'other'] as const;
export type VolumeRole = (typeof VOLUME_ROLES)[number];
export const VolumeRoleSchema = z.enum(VOLUME_ROLES);
/** The configured directory names (`models`, `outputs`) that earlier releases used as role names. */
const PLURAL_ROLES: Readonly<Record<string, VolumeRole>> = { models: 'model', outputs: 'output', caches: 'cache' };
/** A role as written in a config file: a plural directory name maps to its role. */
export const VolumeRoleInputSchema = z.preprocess((v) => (typeof v === 'string' ? (PLURAL_ROLES[v] ?? v) : v), VolumeRoleSchema);

/** Volume roles the collector's disk_fill rule watches unless the rule names others. */
export const DEFAULT_DISK_FILL_ROLES: readonly VolumeRole[] = ['model', 'output', 'cache'];

/** The role a volume is stored under: a known role, a plural directory name's role, else `other`. */
export function normalizeVolumeRole(role: string): VolumeRole {
  const r = PLURAL_ROLES[role] ?? role;
  return (VOLUME_ROLES as readonly string[]).includes(r) ? (r as VolumeRole) : 'other';
}
