// Counts by key (errors by kind, log lines by reason).

/** Adds one to `key`'s count. */
export function countInto(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
