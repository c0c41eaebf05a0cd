// Rate limit for log lines of the gRPC side: a refused or failing fleet must not flood the log,
// and each kind of failure is still said (docs/delivery.md: counted always, logged once a minute
// per kind).

/** A predicate that is true for a key at most once per `everyMs`. */
export function onceEvery(everyMs: number, now: () => number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < everyMs) return false;
    last.set(key, t);
    return true;
  };
}
