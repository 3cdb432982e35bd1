// One undici Pool per upstream, with keep-alive. Pools are keyed by everything that shapes them
// (an https upstream's tls material by its digest), so a later table with an unchanged upstream
// gets the same pool and keeps its warm sockets.

import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import { UPSTREAM_DEFAULTS } from '../routing/defaults.js';
import type { ResolvedUpstream } from '../routing/upstream-tls.js';
import { httpsConnector, requestServername } from './upstream-tls-options.js';
import { randomBytes } from 'node:crypto';

/** The writes (any method but GET, HEAD, OPTIONS, TRACE) proxied to an upstream, started and
 *  finished, over the process's life: a noise probe whose two reads had a write between them
 *  learns nothing (shadow/mirror.ts), since the write, not the monolith, may be what differs. */
export class WriteTally {
  /** Names this count (a recording's `writes`): it starts at 0 in every process, each worker's own. */
  readonly id = randomBytes(4).toString('hex');
  started = 0;
  finished = 0;

  /** This moment, for quietSince: the writes started so far, or null when one is under way (its
   *  effect on the store may land at any time). */
  quietMark(): number | null {
    return this.started === this.finished ? this.started : null;
  }

  /** No write was under way at `mark` and none has started since: two answers of that span saw
   *  the same store (the noise probe's and the replay's rule). */
  quietSince(mark: number | null): boolean {
    return mark !== null && this.started === mark;
  }
}

/** A method that may change the upstream's state: any but GET, HEAD, OPTIONS and TRACE. */
export function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && method !== 'TRACE';
}

/** A write to `primary` (and to `servedBy`, the fallback that took it, when another pool) is over. */
export function writeFinished(primary: Upstream, servedBy: Upstream): void {
  primary.writes.finished++;
  if (servedBy.writes !== primary.writes) servedBy.writes.finished++;
}

export interface Upstream {
  readonly name: string;
  readonly url: string;
  readonly origin: string;
  /** host[:port] as the Host header names it. */
  readonly host: string;
  readonly pool: Pool;
  /** https: the SNI name every request carries (see upstream-tls-options.ts); http: the host, which
   *  undici reads nothing from (handed over so that it does not derive one per request). */
  readonly servername: string;
  /** Shared by every upstream on the same pool (the same url and settings), across reloads. */
  readonly writes: WriteTally;
}

function keyOf(cfg: ResolvedUpstream): string {
  const m = cfg.tlsMaterial;
  return JSON.stringify([
    new URL(cfg.url).origin,
    cfg.connections ?? UPSTREAM_DEFAULTS.connections,
    cfg.keepAliveMs ?? UPSTREAM_DEFAULTS.keepAliveMs,
    cfg.connectTimeoutMs ?? UPSTREAM_DEFAULTS.connectTimeoutMs,
    m === undefined ? null : [m.servername, m.insecureSkipVerify, ...[m.ca, m.cert, m.key].map((b) => (b === null ? null : createHash('sha256').update(b).digest('hex')))],
  ]);
}

export class UpstreamPools {
  readonly #byKey = new Map<string, Pool>();
  readonly #writes = new WeakMap<Pool, WriteTally>();
  readonly #retiring = new Set<Pool>();

  upstream(name: string, cfg: ResolvedUpstream): Upstream {
    const url = new URL(cfg.url);
    const key = keyOf(cfg);
    let pool = this.#byKey.get(key);
    if (pool === undefined) {
      pool = new Pool(url.origin, {
        connections: cfg.connections ?? UPSTREAM_DEFAULTS.connections,
        keepAliveTimeout: cfg.keepAliveMs ?? UPSTREAM_DEFAULTS.keepAliveMs,
        connectTimeout: cfg.connectTimeoutMs ?? UPSTREAM_DEFAULTS.connectTimeoutMs,
        ...(url.protocol === 'https:' ? { connect: httpsConnector(cfg.tlsMaterial, cfg.connectTimeoutMs ?? UPSTREAM_DEFAULTS.connectTimeoutMs) } : {}),
        // The route's timeoutMs bounds the wait for headers; a body may stream for as long as
        // both sides keep it open (server-sent events), so undici's own timers are off.
        headersTimeout: 0,
        bodyTimeout: 0,
        pipelining: 1,
      });
      this.#byKey.set(key, pool);
      this.#writes.set(pool, new WriteTally());
    }
    // Plain HTTP names no server, but undici works one out of every request's Host field unless
    // it is handed one (a regular expression or two per request): the upstream's host, never used.
    const servername = url.protocol === 'https:' ? requestServername(url, cfg.tlsMaterial) : url.hostname;
    const writes = this.#writes.get(pool)!;
    return { name, url: cfg.url, origin: url.origin, host: url.host, pool, writes, servername };
  }

  /**
   * Retires every pool none of `inUse` holds: it leaves the registry now and closes after
   * `graceMs` (a retry or fallback of a request still on the old table may need it until then),
   * then gracefully: requests in flight finish first. The pool emits 'retired' once closed.
   */
  retain(inUse: ReadonlySet<Upstream>, graceMs: number): void {
    const keep = new Set([...inUse].map((u) => u.pool));
    for (const [key, pool] of this.#byKey) {
      if (keep.has(pool)) continue;
      this.#byKey.delete(key);
      this.#retiring.add(pool);
      setTimeout(() => {
        this.#retiring.delete(pool);
        const retired = (): boolean => (pool as unknown as EventEmitter).emit('retired');
        void pool.close().then(retired, retired);
      }, graceMs).unref();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#byKey.values(), ...this.#retiring].map((p) => p.close()));
  }

  destroy(): void {
    for (const p of [...this.#byKey.values(), ...this.#retiring]) void p.destroy().catch(() => {});
    this.#byKey.clear();
    this.#retiring.clear();
  }
}
