// Path patterns (`/hosts/:host`): shared by the router and the entry's route prefetch (no React here).

/** A malformed escape (`%E0%A4`) stays as typed: the page then says that host is not known. */
function decode(x: string): string {
  try {
    return decodeURIComponent(x);
  } catch {
    return x;
  }
}

/** Matches `/hosts/:host` style patterns; returns decoded params or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i] ?? '';
    const x = xs[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = decode(x);
    else if (p !== x) return undefined;
  }
  return params;
}
