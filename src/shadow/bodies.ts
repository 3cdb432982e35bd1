// The bodies of a route's last mismatches, so that a person can see both answers side by side
// (the dashboard's route detail, GET /shadow/mismatches). Kept in this process only: the report
// (report.ts) stays small and mergeable, and the shadow log never carries bodies. Bounded: the
// last KEPT_PER_ROUTE mismatches of each route, each body its first KEPT_BODY_MAX_BYTES, decoded
// only when asked for. Cheap on a route that mismatches all the time: a body of at most
// KEPT_BODY_MAX_BYTES (in a buffer not much larger) is held as is, no copy (the comparison owns
// it and nothing writes to it); a larger one is clipped into a copy, and those copies are paced by
// a bucket of KEPT_PER_ROUTE per route that refills one every KEEP_REFILL_MS: a burst is kept
// whole, a steady stream of big mismatches costs at most one copy per route every KEEP_REFILL_MS.

import type { Captured, BodyMode } from './diff.js';
import type { ShadowEvent } from './log-line.js';
import { systemClock, type Clock } from '../util/clock.js';

export const KEPT_PER_ROUTE = 20;
export const KEPT_BODY_MAX_BYTES = 64 * 1024;
/** After a burst of KEPT_PER_ROUTE, one more mismatch of a route is kept every this many ms. */
export const KEEP_REFILL_MS = 250;

/** One side's answer as kept: text (clipped), or only its size when it is not UTF-8 text. */
export interface KeptSide {
  readonly status: number | null;
  readonly contentType: string | null;
  /** The body as text; '' when binary. */
  readonly body: string;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly binary: boolean;
}

export interface KeptMismatch {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** How the bodies were compared: json (paths `$...`), html (element paths) or bytes. */
  readonly mode: BodyMode;
  readonly differences: readonly { readonly path: string; readonly kind: string }[];
  readonly primary: KeptSide;
  readonly shadow: KeptSide;
}

function contentTypeOf(c: Captured): string | null {
  const h = c.contentType ?? c.headers['content-type'];
  return h === undefined ? null : Array.isArray(h) ? h.join(', ') : (h as string);
}

/** One side as held: the body itself when small, else a copy of its first KEPT_BODY_MAX_BYTES (never a view into a big body). */
interface HeldSide {
  readonly status: number | null;
  readonly contentType: string | null;
  readonly clipped: Buffer;
  readonly bytes: number;
}

/** Whether the body can be held as is: small, and not a view that would keep a big buffer alive. */
function holdable(body: Buffer): boolean {
  return body.length <= KEPT_BODY_MAX_BYTES && body.buffer.byteLength <= 2 * KEPT_BODY_MAX_BYTES;
}

function held(c: Captured, status: number | null): HeldSide {
  const bytes = c.body.length;
  const clipped = holdable(c.body) ? c.body : Buffer.from(c.body.subarray(0, KEPT_BODY_MAX_BYTES));
  return { status, contentType: contentTypeOf(c), clipped, bytes };
}

/** Decoded when asked for (GET /shadow/mismatches), not on the comparison's turn. */
export function keptSide(h: HeldSide): KeptSide {
  const truncated = h.bytes > h.clipped.length;
  let body = '';
  let binary = false;
  try {
    // A decoder of its own: a clip that ends inside a character leaves its bytes in the decoder
    // (stream mode), and they must not start the next body decoded.
    body = new TextDecoder('utf-8', { fatal: true }).decode(h.clipped, { stream: truncated });
    binary = body.includes('\u0000');
  } catch {
    binary = true;
  }
  return { status: h.status, contentType: h.contentType, body: binary ? '' : body, bytes: h.bytes, truncated, binary };
}

type Held = Omit<KeptMismatch, 'primary' | 'shadow'> & { readonly primary: HeldSide; readonly shadow: HeldSide };

/**
 * Several processes' lists of a route's kept mismatches (each newest first) as one: newest
 * first by `at`, and bounded like a single process's (the newest KEPT_PER_ROUTE).
 */
export function mergeKept(lists: readonly (readonly KeptMismatch[])[]): KeptMismatch[] {
  const all = lists.flat();
  // ISO timestamps order as text; the sort is stable, so ties keep each list's own order.
  all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return all.slice(0, KEPT_PER_ROUTE);
}

/** A route's bucket: how many keeps it may spend, refilled up to `at`. */
interface Bucket {
  tokens: number;
  at: number;
}

export class MismatchBodies {
  readonly #byRoute = new Map<string, Held[]>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Whether the route may copy one more mismatch's bodies now (spends it if so). */
  #spend(route: string): boolean {
    const now = this.#clock.now();
    const b = this.#buckets.get(route) ?? { tokens: KEPT_PER_ROUTE, at: now };
    // Whole refills only (no sum of fractions to drift); a clock that goes back refills nothing.
    const refills = Math.floor(Math.max(0, now - b.at) / KEEP_REFILL_MS);
    b.tokens = Math.min(KEPT_PER_ROUTE, b.tokens + refills);
    b.at = b.tokens === KEPT_PER_ROUTE || now < b.at ? now : b.at + refills * KEEP_REFILL_MS;
    this.#buckets.set(route, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * Keeps a mismatch's bodies (the event is the mismatch's, with its differences): held as they
   * are when both are small, else copied when the route's bucket allows, else not kept.
   */
  keep(event: ShadowEvent, mode: BodyMode, primary: Captured, shadow: Captured): 'held' | 'copied' | 'dropped' {
    const copies = !holdable(primary.body) || !holdable(shadow.body);
    if (copies && !this.#spend(event.route)) return 'dropped';
    const list = this.#byRoute.get(event.route) ?? [];
    list.push({
      at: event.at,
      method: event.method,
      path: event.path,
      mode,
      differences: (event.differences ?? []).map((d) => ({ path: d.path, kind: d.kind })),
      primary: held(primary, event.primaryStatus),
      shadow: held(shadow, event.shadowStatus),
    });
    if (list.length > KEPT_PER_ROUTE) list.splice(0, list.length - KEPT_PER_ROUTE);
    this.#byRoute.set(event.route, list);
    return copies ? 'copied' : 'held';
  }

  /** A route's kept mismatches, newest first. */
  list(route: string): KeptMismatch[] {
    return [...(this.#byRoute.get(route) ?? [])].reverse().map((k) => ({ ...k, primary: keptSide(k.primary), shadow: keptSide(k.shadow) }));
  }

  /** Forgets a route's bodies (every route's when undefined): its report started afresh. */
  clear(route?: string): void {
    if (route === undefined) {
      this.#byRoute.clear();
      this.#buckets.clear();
    } else {
      this.#byRoute.delete(route);
      this.#buckets.delete(route);
    }
  }
}
