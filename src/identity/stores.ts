// Where rate-limit buckets live: this process's store, or the shared Redis store of
// `server.rateLimitStore`. Owned by the process like the upstream pools: a reload with the same
// store URL keeps the same client (and buckets); another URL gets a new one, and the old closes
// once the new table is live (the reloader settles the stores after each swap).

import type { Logger } from '../observability/logger.js';
import type { Clock } from '../util/clock.js';
import { LocalRateLimitStore } from './local-store.js';
import { RedisRateLimitStore } from './redis-store.js';
import type { RateLimitStore } from './types.js';

export class RateLimitStores {
  readonly #deps: { readonly logger: Logger; readonly clock?: Clock };
  readonly #local: LocalRateLimitStore;
  /** Shared stores by URL: the live table's, and one a table being compiled asked for. */
  readonly #shared = new Map<string, RedisRateLimitStore>();

  constructor(deps: { readonly logger: Logger; readonly clock?: Clock }) {
    this.#deps = deps;
    this.#local = new LocalRateLimitStore(deps.clock === undefined ? {} : { clock: deps.clock });
  }

  /** The store for `url` (null: this process's). A store for another URL is only made here: the
   *  one the live table uses stays open until a table without it is live (settle). */
  storeFor(url: string | null): RateLimitStore {
    if (url === null) return this.#local;
    let shared = this.#shared.get(url);
    if (shared === undefined) this.#shared.set(url, (shared = new RedisRateLimitStore(url, this.#deps)));
    return shared;
  }

  /** The live table names `url` (null: none): every other shared store closes. */
  settle(url: string | null): void {
    for (const [u, store] of this.#shared) {
      if (u === url) continue;
      store.close();
      this.#shared.delete(u);
    }
  }

  closeAll(): void {
    this.settle(null);
    this.#local.close();
  }
}
