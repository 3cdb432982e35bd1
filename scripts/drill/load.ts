// The one load generator of the drills: C keep-alive clients (one undici Pool of C connections, C
// loops) cycling through the scenario's GET paths. With a rate each client is paced to rate/C
// requests per second (one that falls behind sends as soon as its previous request ended, with
// no catch-up burst); without one, each sends as soon as its previous response ended. Every
// request is recorded in send order: sent at (epoch ms), send to end of body, status (0: no
// response), the side that answered (the scenario's `sideOf`), and what went wrong, by kind.
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { countInto } from '../lib/stats.js';
import { epochMs } from './kit.js';

/** expect: the status every answer must have (default: any 2xx). */
export interface LoadPath {
  readonly path: string;
  readonly expect?: number;
}
type Headers = Record<string, string | string[] | undefined>;

/** rate: requests per second, all clients together (undefined: a closed loop); timeoutMs: for the
 *  headers, the body and the connect; sideOf: which side answered (`ok` false makes the answer an
 *  error even with the expected status); none: the side of a request with no response; describe:
 *  when set, each error about a response ends with `, <describe(side)>`; headers: extra request
 *  headers, by sequence number. */
export interface LoadOptions {
  readonly origin: string;
  readonly paths: readonly LoadPath[];
  readonly clients: number;
  readonly rate?: number;
  readonly timeoutMs: number;
  readonly sideOf: (headers: Headers, body: string) => { side: number; ok?: boolean };
  readonly none: number;
  readonly describe?: (side: number) => string;
  readonly headers?: (seq: number) => Record<string, string>;
}

/** Per request in send order; failed: not the expected answer (or none); errors: what went wrong, by
 *  kind, e.g. `HTTP 502 on /users/1`, `no response on /users: UND_ERR_SOCKET`. */
export interface LoadRecord {
  readonly paths: readonly LoadPath[];
  readonly sentAt: number[];
  readonly status: number[];
  readonly path: number[];
  readonly side: number[];
  readonly failed: boolean[];
  /** Epoch ms when it ended (answered, failed or timed out). */
  readonly endedAt: number[];
  readonly errors: Map<string, number>;
  startedAt: number;
  stoppedAt: number;
}

export class Load {
  readonly record: LoadRecord;
  readonly #o: LoadOptions;
  readonly #pool: Pool;
  #stopping = false;
  #loops: Promise<void>[] = [];
  #seq = 0;

  constructor(o: LoadOptions) {
    this.#o = o;
    this.record = { paths: o.paths, sentAt: [], status: [], path: [], side: [], failed: [], endedAt: [], errors: new Map(), startedAt: 0, stoppedAt: 0 };
    this.#pool = new Pool(o.origin, { connections: o.clients, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: o.timeoutMs });
  }

  start(): this {
    this.record.startedAt = epochMs();
    for (let i = 0; i < this.#o.clients; i++) this.#loops.push(this.#client(i));
    return this;
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
    const { clients, rate, paths } = this.#o;
    const interval = rate === undefined ? 0 : (1000 * clients) / rate;
    let next = this.record.startedAt + (i * interval) / clients;
    let p = i % paths.length;
    while (!this.#stopping) {
      const wait = next - epochMs();
      if (wait >= 1) await sleep(wait);
      if (this.#stopping) break;
      await this.#send(p);
      p = (p + 1) % paths.length;
      next = Math.max(next + interval, epochMs());
    }
  }

  async #send(p: number): Promise<void> {
    const o = this.#o;
    const r = this.record;
    const { path, expect } = o.paths[p]!;
    const seq = this.#seq++;
    const i = r.sentAt.length;
    const sentAt = epochMs();
    r.sentAt.push(sentAt); r.status.push(0);
    r.path.push(p); r.side.push(o.none); r.failed.push(true); r.endedAt.push(0);
    const on = (): string => (o.describe === undefined ? '' : `, ${o.describe(r.side[i]!)}`);
    let error: string | undefined;
    try {
      const res = await this.#pool.request({ path, method: 'GET', ...(o.headers && { headers: o.headers(seq) }), headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
      r.status[i] = res.statusCode;
      const body = await res.body.text();
      const { side, ok = true } = o.sideOf(res.headers, body);
      r.side[i] = side;
      const s = res.statusCode;
      if (!(expect === undefined ? s >= 200 && s < 300 : s === expect)) error = `HTTP ${s} on ${path}${expect === undefined ? '' : ` (expected ${expect})`}${on()}`;
      else if (!ok) error = `unexpected answer on ${path} (x-upstream ${String(res.headers['x-upstream'])}, body ${JSON.stringify(body.slice(0, 40))})`;
    } catch (err) {
      const e = err as Error & { code?: string };
      error = r.status[i] === 0 ? `no response on ${path}: ${e.code ?? e.message}` : `HTTP ${r.status[i]} on ${path}, then the body failed: ${e.code ?? e.message}${on()}`;
    }
    r.endedAt[i] = epochMs();
    r.failed[i] = error !== undefined;
    if (error !== undefined) countInto(r.errors, error);
  }
}
