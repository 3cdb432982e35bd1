// Which side of a canary route a request takes (pure). With a sticky key, a stable hash of the key
// (FNV-1a, the same in every process and release) puts it in one of 10,000 buckets, and buckets
// below percent x 100 go to the canary: the split holds across restarts and replicas, and raising
// the percentage only moves keys from the primary to the canary, never back.

export type Side = 'primary' | 'canary';

export const BUCKETS = 10_000;

export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

/** The force header's values, any case: these pin the canary, those the primary; others are ignored. */
const FORCE_CANARY = new Set(['on', 'true', '1', 'yes']);
const FORCE_PRIMARY = new Set(['off', 'false', '0', 'no']);

/** The side a force header's value pins, or null (absent or not one of the words). */
export function forcedSide(forced: string | null): Side | null {
  if (forced === null) return null;
  const f = forced.trim().toLowerCase();
  return FORCE_CANARY.has(f) ? 'canary' : FORCE_PRIMARY.has(f) ? 'primary' : null;
}

/** `random` is in [0, 1), used only when there is no sticky key. */
export function sideFor(percent: number, key: string | null, forced: string | null, random: () => number): Side {
  const pinned = forcedSide(forced);
  if (pinned !== null) return pinned;
  const threshold = percent * (BUCKETS / 100);
  const bucket = key === null ? Math.floor(random() * BUCKETS) : bucketOf(key);
  return bucket < threshold ? 'canary' : 'primary';
}

/** `stickyOn: header:NAME` or `cookie:NAME`, resolved once per table. */
export type StickySource = { readonly kind: 'header' | 'cookie'; readonly name: string } | null;

export function parseSticky(stickyOn: string | undefined): StickySource {
  if (stickyOn === undefined) return null;
  const i = stickyOn.indexOf(':');
  return { kind: stickyOn.slice(0, i) as 'header' | 'cookie', name: stickyOn.slice(i + 1).toLowerCase() };
}

/** The sticky key and the force header's value, from the client's raw headers. */
export function canaryInputs(raw: readonly string[], sticky: StickySource, forceHeader: string | null, host: string | null = null): { key: string | null; forced: string | null } {
  // (Host is not among the headers sent on unless preserveHost: the client's, as routing read it.)
  let key: string | null = sticky?.kind === 'header' && sticky.name === 'host' ? host : null;
  let forced: string | null = null;
  const want = sticky === null ? null : sticky.kind === 'header' ? sticky.name : 'cookie';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === forceHeader && forced === null) forced = raw[i + 1]!;
    if (name === want && key === null) {
      key = sticky!.kind === 'header' ? raw[i + 1]! : cookieValue(raw[i + 1]!, sticky!.name);
    }
  }
  return { key: key === '' ? null : key, forced };
}

function cookieValue(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim().toLowerCase() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
