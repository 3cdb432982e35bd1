// The bodies of a route's last mismatches, so that a person can see both answers side by side
// (the dashboard's route detail, GET /shadow/mismatches). Kept in this process only: the report
// (report.ts) stays small and mergeable, and the shadow log never carries bodies. Bounded: the
// last KEPT_PER_ROUTE mismatches of each route, each body a copy of its first KEPT_BODY_MAX_BYTES,
// decoded only when asked for.

import type { Captured, BodyMode } from './diff.js';
import type { ShadowEvent } from './log-line.js';

export const KEPT_PER_ROUTE = 20;
export const KEPT_BODY_MAX_BYTES = 64 * 1024;

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

/** One side as held: a copy of at most KEPT_BODY_MAX_BYTES (never a view into the whole body). */
interface HeldSide {
  readonly status: number | null;
  readonly contentType: string | null;
  readonly clipped: Buffer;
  readonly bytes: number;
}

function held(c: Captured, status: number | null): HeldSide {
  const bytes = c.body.length;
  return { status, contentType: contentTypeOf(c), clipped: Buffer.from(c.body.subarray(0, KEPT_BODY_MAX_BYTES)), bytes };
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

export class MismatchBodies {
  readonly #byRoute = new Map<string, Held[]>();

  /** Keeps a mismatch's bodies (the event is the mismatch's, with its differences). */
  keep(event: ShadowEvent, mode: BodyMode, primary: Captured, shadow: Captured): void {
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
  }

  /** A route's kept mismatches, newest first. */
  list(route: string): KeptMismatch[] {
    return [...(this.#byRoute.get(route) ?? [])].reverse().map((k) => ({ ...k, primary: keptSide(k.primary), shadow: keptSide(k.shadow) }));
  }

  /** Forgets a route's bodies (every route's when undefined): its report started afresh. */
  clear(route?: string): void {
    if (route === undefined) this.#byRoute.clear();
    else this.#byRoute.delete(route);
  }
}
