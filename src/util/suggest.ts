// "did you mean ...?" for misspelt keys, enum values and upstream names.

/** Levenshtein distance, case-insensitive (a case slip costs nothing extra over one edit). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * The closest candidate, when it is close enough to be a likely typo: at most 45% of the
 * longer word's length in edits (at least 1, at most 4), so `retires` -> `retry` (3 edits) and
 * `timeout` -> `timeoutMs` qualify, `port` -> `host` does not. A candidate that differs only
 * by case always qualifies.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(4, Math.max(1, Math.floor(Math.max(word.length, best.length) * 0.45)));
  // ...and fewer edits than the shorter word has letters: 'b' is not a typo of 'a'.
  return bestDistance <= limit && bestDistance < Math.min(word.length, best.length) ? best : undefined;
}
