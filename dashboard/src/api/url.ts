// Request URLs: shared by the API client and the entry's route prefetch (no zod here).

export type QueryValue = string | number | undefined;

export function buildUrl(base: string, path: string, query: Record<string, QueryValue> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${base}${path}${s === '' ? '' : `?${s}`}`;
}
