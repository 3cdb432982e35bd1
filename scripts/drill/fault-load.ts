// The fault drill's steady load (paced keep-alive clients, see common-paced-load.ts), cycling
// through GET paths of the users API. Every request is recorded: when it was sent (epoch ms), how
// long until its body ended, its status (0: no response), which side answered it, and why it
// failed if it did.
import { PacedLoad } from './common-paced-load.js';
import { recordTimedGet, timedGet, type LoadPath, type SideRules, type TimedGetColumns } from './common-timed-get.js';

export interface FaultLoadOptions {
  readonly origin: string;
  readonly paths: readonly LoadPath[];
  readonly clients: number;
  /** Target requests per second, all clients together. */
  readonly rate: number;
  /** Client-side bound for response headers and for the body (then: a timeout error). */
  readonly timeoutMs: number;
}

/** Which side answered, from X-Served-By and X-Strangler-Fallback. */
export const SIDE = { users: 0, fallback: 1, legacyWithoutFallbackHeader: 2, unknown: 3, none: 4 } as const;
export type Side = (typeof SIDE)[keyof typeof SIDE];

/** Per request (see TimedGetColumns): status 0 when no response came (socket error, timeout); errors
 * are the client-visible ones by kind, e.g. `HTTP 502 on /users/1`, `no response on /users: UND_ERR_SOCKET`. */
export interface LoadRecord extends TimedGetColumns<Side> {
  /** Whether the request counts as a client-visible error (unexpected status, no response). */
  readonly failed: boolean[];
  readonly paths: readonly LoadPath[];
  /** Epoch ms when the load started and stopped. */
  startedAt: number;
  stoppedAt: number;
}

export class FaultLoad extends PacedLoad<LoadRecord> {
  readonly #opts: FaultLoadOptions;

  constructor(opts: FaultLoadOptions) {
    super(
      { ...opts, pathCount: opts.paths.length },
      { sentAt: [], latencyMs: [], status: [], path: [], side: [], failed: [], errors: new Map(), paths: opts.paths, startedAt: 0, stoppedAt: 0 },
    );
    this.#opts = opts;
  }

  protected override async send(p: number): Promise<void> {
    const got = await timedGet(this.pool, this.#opts.paths[p]!, SIDE_RULES, this.#opts.timeoutMs);
    recordTimedGet(this.record, p, got);
    this.record.failed.push(got.error !== undefined);
  }
}

const SIDE_RULES: SideRules<Side> = {
  none: SIDE.none,
  sideOf: (h) => {
    if (h['x-strangler-fallback'] === 'legacy') return SIDE.fallback;
    if (h['x-served-by'] === 'users-service') return SIDE.users;
    if (h['x-served-by'] === 'legacy-monolith') return SIDE.legacyWithoutFallbackHeader;
    return SIDE.unknown;
  },
};
