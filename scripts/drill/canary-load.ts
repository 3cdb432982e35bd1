// The canary drill's steady load: C keep-alive clients (one undici Pool of C connections, C loops),
// each paced to rate/C requests per second (no catch-up burst), cycling through GET paths of the
// users API. Every request carries an `x-user-id` (the canary's sticky key), taken in turn from a
// set of `users` ids so that every id comes back about rate/users times a second, and its own
// `x-request-id` (`<prefix><seq>`, kept by the proxy, so the drill's users stand-in can say which
// requests reached it). Every request is recorded: when it was sent (epoch ms), how long until its
// body ended, its status (0: no response), its user id, and which side answered it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { epochMs } from './fault-clock.js';
import type { LoadPath } from './fault-load.js';
import { STANDIN_HEADER } from './canary-standin.js';

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

export interface CanaryRecord {
  readonly seq: number[];
  readonly sentAt: number[];
  readonly latencyMs: number[];
  readonly status: number[];
  readonly path: number[];
  readonly user: number[];
  readonly side: CSide[];
  /** The status is not the path's expected one (2xx, or its `expect`), or no response came. */
  readonly bad: boolean[];
  /** What went wrong, by kind and side, for the bad ones. */
  readonly errors: Map<string, number>;
  readonly paths: readonly LoadPath[];
  readonly users: number;
  readonly requestIdPrefix: string;
  startedAt: number;
  stoppedAt: number;
}

export function userId(i: number): string {
  return `u${String(i).padStart(4, '0')}`;
}

export class CanaryLoad {
  readonly record: CanaryRecord;
  readonly #opts: CanaryLoadOptions;
  readonly #pool: Pool;
  #seq = 0;
  #stopping = false;
  #loops: Promise<void>[] = [];

  constructor(opts: CanaryLoadOptions) {
    this.#opts = opts;
    this.#pool = new Pool(opts.origin, { connections: opts.clients, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: opts.timeoutMs });
    this.record = {
      seq: [], sentAt: [], latencyMs: [], status: [], path: [], user: [], side: [], bad: [], errors: new Map(),
      paths: opts.paths, users: opts.users, requestIdPrefix: opts.requestIdPrefix, startedAt: 0, stoppedAt: 0,
    };
  }

  start(): void {
    this.record.startedAt = epochMs();
    for (let i = 0; i < this.#opts.clients; i++) this.#loops.push(this.#client(i));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
    this.record.stoppedAt = epochMs();
    await this.#pool.close().catch(() => undefined);
  }

  destroy(): void {
    this.#stopping = true;
    void this.#pool.destroy().catch(() => undefined);
  }

  async #client(i: number): Promise<void> {
    const { clients, rate, paths } = this.#opts;
    const interval = (1000 * clients) / rate;
    let next = this.record.startedAt + (i * interval) / clients;
    let p = i % paths.length;
    while (!this.#stopping) {
      const wait = next - epochMs();
      if (wait >= 1) await sleep(wait);
      if (this.#stopping) break;
      await this.#one(p);
      p = (p + 1) % paths.length;
      next += interval;
      next = Math.max(next, epochMs());
    }
  }

  async #one(p: number): Promise<void> {
    const { path, expect } = this.#opts.paths[p]!;
    const seq = this.#seq++;
    const user = seq % this.#opts.users;
    const r = this.record;
    const sentAt = epochMs();
    let status = 0;
    let side: CSide = CSIDE.none;
    let error: string | undefined;
    try {
      const res = await this.#pool.request({
        path,
        method: 'GET',
        headers: { 'x-user-id': userId(user), 'x-request-id': `${this.#opts.requestIdPrefix}${seq}` },
        headersTimeout: this.#opts.timeoutMs,
        bodyTimeout: this.#opts.timeoutMs,
      });
      status = res.statusCode;
      side = sideOf(res.headers);
      await res.body.arrayBuffer();
      const ok = expect === undefined ? status >= 200 && status < 300 : status === expect;
      if (!ok) error = `HTTP ${status} on ${path}${expect === undefined ? '' : ` (expected ${expect})`}, ${CSIDE_NAMES[side]}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      error = status === 0 ? `no response on ${path}: ${e.code ?? e.message}` : `HTTP ${status} on ${path}, then the body failed: ${e.code ?? e.message}, ${CSIDE_NAMES[side]}`;
    }
    r.seq.push(seq);
    r.sentAt.push(sentAt);
    r.latencyMs.push(epochMs() - sentAt);
    r.status.push(status);
    r.path.push(p);
    r.user.push(user);
    r.side.push(side);
    r.bad.push(error !== undefined);
    if (error !== undefined) r.errors.set(error, (r.errors.get(error) ?? 0) + 1);
  }
}

function sideOf(h: Record<string, string | string[] | undefined>): CSide {
  if (h['x-strangler-fallback'] === 'legacy') return CSIDE.fallback;
  const standin = h[STANDIN_HEADER];
  if (standin === 'proxied') return CSIDE.canary;
  if (standin === 'injected-500') return CSIDE.canaryFailed;
  if (standin === 'upstream-error') return CSIDE.standinError;
  if (h['x-served-by'] === 'legacy-monolith') return CSIDE.primary;
  return CSIDE.unknown;
}
