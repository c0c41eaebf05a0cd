// The only reader of import.meta.env (docs/style.md "5. Config"): VITE_* keys, parsed once with zod.
import { z } from 'zod';

const DashboardConfigSchema = z.object({
  /** Base URL of the collector API; empty means the same origin that served the dashboard. */
  VITE_API_BASE: z.string().default('').describe('collector base URL, default same origin'),
  /** Auto-refresh interval of live pages, in milliseconds. */
  VITE_REFRESH_MS: z.coerce.number().int().min(1000).max(3_600_000).default(5000).describe('auto-refresh interval (ms)'),
});

export interface DashboardConfig {
  readonly apiBase: string;
  readonly refreshMs: number;
}

/** Parses the VITE_* keys; a bad value falls back to the default rather than a blank page. */
export function parseDashboardConfig(env: Record<string, unknown>): DashboardConfig {
  const r = DashboardConfigSchema.safeParse(env);
  const c = r.success ? r.data : DashboardConfigSchema.parse({});
  return Object.freeze({ apiBase: c.VITE_API_BASE.replace(/\/+$/, ''), refreshMs: c.VITE_REFRESH_MS });
}

export function loadDashboardConfig(): DashboardConfig {
  return parseDashboardConfig({ ...import.meta.env });
}
