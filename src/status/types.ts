// The migration status: what `GET /status` answers, `strangler status` prints and the dashboard
// at the admin port's `/` draws. One plain JSON value (it travels between workers and replicas).

/** The live state of a progressive canary (`canary.steps`), as its route's state describes it. */
export interface CanaryProgressView {
  /** The percentage of requests the canary takes now. */
  readonly percent: number;
  readonly steps: readonly number[];
  /** Index into `steps` of the current step. */
  readonly step: number;
  /** climbing: gates are checked every stepEveryMs; ready: at the last step; halted: a gate failed. */
  readonly state: 'climbing' | 'ready' | 'halted';
  readonly stepStartedAt: string;
  /** When the gates are next checked; null when ready or halted. */
  readonly nextCheckAt: string | null;
  /** The last gate check, with its figures. */
  readonly last: null | {
    readonly at: string;
    readonly requests: number;
    readonly errorRate: number | null;
    readonly p99Ms: number | null;
    readonly primaryP99Ms: number | null;
    readonly result: 'advanced' | 'held' | 'halted';
    readonly reason: string;
  };
}

/** One upstream's share of a route over the window (the last 5 minutes). */
export interface SideStatus {
  readonly upstream: string;
  readonly role: 'primary' | 'canary' | 'fallback' | 'shadow';
  readonly requests: number;
  readonly rps: number;
  /** Share of its tries that failed (a 5xx from the upstream or a proxy error, a response the
   *  upstream broke off mid-body, or a try the fallback then answered); null without any. */
  readonly errorRate: number | null;
  /** Its tries the route's fallback answered (in errorRate; their requests are the fallback's). */
  readonly fellBack: number;
  readonly p99Ms: number | null;
}

export type Stage = 'legacy' | 'shadowing' | 'canary' | 'cut over';

export interface RouteStatus {
  readonly label: string;
  readonly prefix: string;
  readonly host: string | null;
  readonly stage: Stage;
  /** The stage in words: "legacy", "shadowing", "canary 25%", "cut over". */
  readonly stageText: string;
  /** The upstream answering (the route's `upstream`). */
  readonly upstream: string;
  readonly sides: readonly SideStatus[];
  readonly shadow: null | {
    readonly upstream: string;
    readonly verdict: string;
    readonly matchRate: number | null;
    readonly compared: number;
    readonly match: number;
    readonly mismatch: number;
    readonly errors: number;
    readonly skipped: number;
  };
  readonly canary: null | {
    readonly upstream: string;
    readonly percent: number;
    readonly halted: null | { readonly at: string; readonly reason: string };
    readonly progress: CanaryProgressView | null;
  };
  /** Breaker state towards the primary (and the canary), null without a breaker. */
  readonly breaker: null | { readonly primary: string; readonly canary: string | null };
  /** Requests answered by the fallback since start. */
  readonly fallbacks: number;
}

export interface ShareWindow {
  readonly requests: number;
  /** Requests answered by upstreams other than the legacy one. */
  readonly nonLegacy: number;
  /** nonLegacy / requests; null without requests. */
  readonly share: number | null;
}

export interface MigrationStatus {
  readonly version: string;
  readonly generatedAt: string;
  /** `server.legacyUpstream` (default: the upstream named `legacy`), null when there is none. */
  readonly legacyUpstream: string | null;
  readonly progress: {
    readonly last5m: ShareWindow;
    readonly sinceStart: ShareWindow;
    readonly routes: { readonly total: number; readonly cutOver: number; readonly share: number | null };
    /** One point per 10 s, oldest first, at most 360 (an hour). */
    readonly series: readonly { readonly at: string; readonly requests: number; readonly nonLegacy: number }[];
  };
  readonly routes: readonly RouteStatus[];
  /** The last reloads, newest first, at most 10. */
  readonly reloads: readonly { readonly at: string; readonly result: string; readonly trigger: string; readonly changes: readonly string[] }[];
  /** What is ready, in words: "/orders: 99.8% match over 12,400 requests: ready to cut over". */
  readonly ready: readonly { readonly route: string; readonly text: string }[];
}
