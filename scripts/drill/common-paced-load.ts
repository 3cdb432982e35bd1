// The steady load of the fault and canary drills: C keep-alive clients (one undici Pool of C
// connections, C loops), each paced to rate/C requests per second (a client that falls behind
// sends as soon as its previous request has ended, with no catch-up burst), cycling through the
// indexes of `pathCount` paths. A subclass says what one request is and what it records of it
// (`send`); this paces, and stamps on the record when the load started and stopped (epoch ms).
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { epochMs } from './common-clock.js';

export interface PacedLoadOptions {
  readonly origin: string;
  readonly clients: number;
  /** Target requests per second, all clients together. */
  readonly rate: number;
  /** Also the connect timeout. */
  readonly timeoutMs: number;
  readonly pathCount: number;
}

/** The part of a load record this writes. */
export interface LoadSpan {
  startedAt: number;
  stoppedAt: number;
}

export abstract class PacedLoad<R extends LoadSpan> {
  readonly record: R;
  protected readonly pool: Pool;
  readonly #paced: PacedLoadOptions;
  #stopping = false;
  #loops: Promise<void>[] = [];

  constructor(paced: PacedLoadOptions, record: R) {
    this.#paced = paced;
    this.record = record;
    this.pool = new Pool(paced.origin, { connections: paced.clients, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: paced.timeoutMs });
  }

  /** Sends one request for path index `p` and records it. */
  protected abstract send(p: number): Promise<void>;

  start(): void {
    this.record.startedAt = epochMs();
    for (let i = 0; i < this.#paced.clients; i++) this.#loops.push(this.#client(i));
  }

  /** Stops sending; resolves once every request in flight has ended and the pool is closed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
    this.record.stoppedAt = epochMs();
    await this.pool.close().catch(() => undefined);
  }

  /** For exit paths: drop every connection now. */
  destroy(): void {
    this.#stopping = true;
    void this.pool.destroy().catch(() => undefined);
  }

  async #client(i: number): Promise<void> {
    const { clients, rate, pathCount } = this.#paced;
    const interval = (1000 * clients) / rate;
    let next = this.record.startedAt + (i * interval) / clients;
    let p = i % pathCount;
    while (!this.#stopping) {
      const wait = next - epochMs();
      if (wait >= 1) await sleep(wait);
      if (this.#stopping) break;
      await this.send(p);
      p = (p + 1) % pathCount;
      next += interval;
      next = Math.max(next, epochMs());
    }
  }
}
