// Auto-refresh interval in the URL: ?refresh=5s|15s|1m|5m|off; absent means the configured default.
export const REFRESH_CHOICES = [
  { id: '5s', ms: 5000 },
  { id: '15s', ms: 15_000 },
  { id: '1m', ms: 60_000 },
  { id: '5m', ms: 300_000 },
  { id: 'off', ms: null },
] as const;

export function parseRefresh(v: string | null, defaultMs: number): number | null {
  const c = REFRESH_CHOICES.find((x) => x.id === v);
  return c === undefined ? defaultMs : c.ms;
}

export function refreshId(ms: number | null): string {
  return REFRESH_CHOICES.find((x) => x.ms === ms)?.id ?? `${Math.round((ms ?? 0) / 1000)}s`;
}
