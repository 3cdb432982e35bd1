// The canary drill's steady load (paced keep-alive clients, see common-paced-load.ts), cycling
// through GET paths of the users API. Every request carries an `x-user-id` (the canary's sticky
// key), taken in turn from a set of `users` ids so that every id comes back about rate/users
// times a second, and its own `x-request-id` (`<prefix><seq>`, kept by the proxy, so the drill's
// users stand-in can say which requests reached it). Every request is recorded: when it was sent
// (epoch ms), how long until its body ended, its status (0: no response), its user id, and which
// side answered it.
import { STANDIN_HEADER } from './canary-standin.js';
import { PacedLoad } from './common-paced-load.js';
import { recordTimedGet, timedGet, type LoadPath, type SideRules, type TimedGetColumns } from './common-timed-get.js';

export interface CanaryLoadOptions {
  readonly origin: string;
  readonly paths: readonly LoadPath[];
  readonly clients: number;
  readonly rate: number;
  /** How many distinct x-user-id values. */
  readonly users: number;
  readonly timeoutMs: number;
  /** Prefix of the x-request-id values (the sequence number follows). */
  readonly requestIdPrefix: string;
}

/** Which side answered, from the response headers. */
export const CSIDE = {
  /** The monolith, as the route's primary (X-Served-By: legacy-monolith, no fallback header). */
  primary: 0,
  /** Through the canary: the stand-in forwarded to the users service. */
  canary: 1,
  /** Through the canary: the stand-in answered 500 itself (after the flip). */
  canaryFailed: 2,
  /** A failed canary request answered by the monolith (X-Strangler-Fallback: legacy). */
  fallback: 3,
  /** Through the canary, but the stand-in could not reach the users service (a drill problem). */
  standinError: 4,
  /** A response nobody above claims (e.g. a proxy-made error). */
  unknown: 5,
  /** No response at all. */
  none: 6,
} as const;
export type CSide = (typeof CSIDE)[keyof typeof CSIDE];
export const CSIDE_NAMES: Record<CSide, string> = ['primary (legacy)', 'canary (users via stand-in)', 'canary injected 500', 'legacy as fallback', 'stand-in upstream error', 'unknown side', 'no response'];

/** Per request (see TimedGetColumns); errors: what went wrong, by kind and side, for the bad ones. */
export interface CanaryRecord extends TimedGetColumns<CSide> {
  readonly seq: number[];
  readonly user: number[];
  /** The status is not the path's expected one (2xx, or its `expect`), or no response came. */
  readonly bad: boolean[];
  readonly paths: readonly LoadPath[];
  readonly users: number;
  readonly requestIdPrefix: string;
  startedAt: number;
  stoppedAt: number;
}

export function userId(i: number): string {
  return `u${String(i).padStart(4, '0')}`;
}

export class CanaryLoad extends PacedLoad<CanaryRecord> {
  readonly #opts: CanaryLoadOptions;
  #seq = 0;

  constructor(opts: CanaryLoadOptions) {
    super(
      { ...opts, pathCount: opts.paths.length },
      {
        seq: [], sentAt: [], latencyMs: [], status: [], path: [], user: [], side: [], bad: [], errors: new Map(),
        paths: opts.paths, users: opts.users, requestIdPrefix: opts.requestIdPrefix, startedAt: 0, stoppedAt: 0,
      },
    );
    this.#opts = opts;
  }

  protected override async send(p: number): Promise<void> {
    const seq = this.#seq++;
    const user = seq % this.#opts.users;
    const headers = { 'x-user-id': userId(user), 'x-request-id': `${this.#opts.requestIdPrefix}${seq}` };
    const got = await timedGet(this.pool, this.#opts.paths[p]!, SIDE_RULES, this.#opts.timeoutMs, headers);
    recordTimedGet(this.record, p, got);
    this.record.seq.push(seq);
    this.record.user.push(user);
    this.record.bad.push(got.error !== undefined);
  }
}

const SIDE_RULES: SideRules<CSide> = {
  none: CSIDE.none,
  describe: (side) => CSIDE_NAMES[side],
  sideOf: (h) => {
    if (h['x-strangler-fallback'] === 'legacy') return CSIDE.fallback;
    const standin = h[STANDIN_HEADER];
    if (standin === 'proxied') return CSIDE.canary;
    if (standin === 'injected-500') return CSIDE.canaryFailed;
    if (standin === 'upstream-error') return CSIDE.standinError;
    if (h['x-served-by'] === 'legacy-monolith') return CSIDE.primary;
    return CSIDE.unknown;
  },
};
