// The fault drill's steady load: C keep-alive clients (one undici Pool of C connections, C loops),
// each paced to rate/C requests per second (a client that falls behind sends as soon as its
// previous response has ended, with no catch-up burst), cycling through GET paths of the users
// API. Every request is recorded: when it was sent (epoch ms), how long until its body ended,
// its status (0: no response), which side answered it, and why it failed if it did.
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { epochMs } from './fault-clock.js';

export interface LoadPath {
  readonly path: string;
  /** The status every answer must have (default: any 2xx). */
  readonly expect?: number;
}

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

export interface LoadRecord {
  readonly sentAt: number[];
  readonly latencyMs: number[];
  /** HTTP status; 0 when no response came (socket error, timeout). */
  readonly status: number[];
  /** Index into paths. */
  readonly path: number[];
  readonly side: Side[];
  /** Whether the request counts as a client-visible error (unexpected status, no response). */
  readonly failed: boolean[];
  /** Client-visible errors by kind, e.g. `HTTP 502 /users/1`, `UND_ERR_SOCKET`. */
  readonly errors: Map<string, number>;
  readonly paths: readonly LoadPath[];
  /** Epoch ms when the load started and stopped. */
  startedAt: number;
  stoppedAt: number;
}

export class FaultLoad {
  readonly record: LoadRecord;
  readonly #opts: FaultLoadOptions;
  readonly #pool: Pool;
  #stopping = false;
  #loops: Promise<void>[] = [];

  constructor(opts: FaultLoadOptions) {
    this.#opts = opts;
    this.#pool = new Pool(opts.origin, { connections: opts.clients, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: opts.timeoutMs });
    this.record = { sentAt: [], latencyMs: [], status: [], path: [], side: [], failed: [], errors: new Map(), paths: opts.paths, startedAt: 0, stoppedAt: 0 };
  }

  start(): void {
    this.record.startedAt = epochMs();
    for (let i = 0; i < this.#opts.clients; i++) this.#loops.push(this.#client(i));
  }

  /** Stops sending; resolves once every request in flight has ended and the pool is closed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
    this.record.stoppedAt = epochMs();
    await this.#pool.close().catch(() => undefined);
  }

  /** For exit paths: drop every connection now. */
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
    const r = this.record;
    const sentAt = epochMs();
    let status = 0;
    let side: Side = SIDE.none;
    let error: string | undefined;
    try {
      const res = await this.#pool.request({ path, method: 'GET', headersTimeout: this.#opts.timeoutMs, bodyTimeout: this.#opts.timeoutMs });
      status = res.statusCode;
      side = sideOf(res.headers['x-served-by'], res.headers['x-strangler-fallback']);
      await res.body.arrayBuffer();
      const ok = expect === undefined ? status >= 200 && status < 300 : status === expect;
      if (!ok) error = `HTTP ${status} on ${path}${expect === undefined ? '' : ` (expected ${expect})`}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      error = status === 0 ? `no response on ${path}: ${e.code ?? e.message}` : `HTTP ${status} on ${path}, then the body failed: ${e.code ?? e.message}`;
    }
    r.sentAt.push(sentAt);
    r.latencyMs.push(epochMs() - sentAt);
    r.status.push(status);
    r.path.push(p);
    r.side.push(side);
    r.failed.push(error !== undefined);
    if (error !== undefined) r.errors.set(error, (r.errors.get(error) ?? 0) + 1);
  }
}

function sideOf(servedBy: string | string[] | undefined, fallback: string | string[] | undefined): Side {
  if (fallback === 'legacy') return SIDE.fallback;
  if (servedBy === 'users-service') return SIDE.users;
  if (servedBy === 'legacy-monolith') return SIDE.legacyWithoutFallbackHeader;
  return SIDE.unknown;
}
