// A set of ids that forgets the oldest once it holds `capacity`: which prompts were already
// reported, in bounded memory. ComfyUI keeps at most 10,000 history entries and we ask for far
// fewer per poll, so an id evicted here is long gone from the history too.

export interface SeenIds {
  has(id: string): boolean;
  /** Adds the id (most recent); evicts the oldest ones beyond capacity. */
  add(id: string): void;
  readonly size: number;
  /** Oldest first (for persisting). */
  values(): string[];
}

export function createSeenIds(capacity: number, initial: readonly string[] = []): SeenIds {
  const ids = new Set<string>();
  const add = (id: string): void => {
    if (ids.has(id)) ids.delete(id);
    ids.add(id);
    while (ids.size > capacity) {
      const oldest = ids.values().next();
      if (oldest.done === true) break;
      ids.delete(oldest.value);
    }
  };
  for (const id of initial) add(id);
  return {
    has: (id) => ids.has(id),
    add,
    get size() {
      return ids.size;
    },
    values: () => [...ids],
  };
}
