// Where rate-limit buckets live: this process's store, or the shared Redis store of
// `server.rateLimitStore`. Owned by the process like the upstream pools: a reload with the same
// store URL keeps the same client (and buckets); another URL gets a new one and closes the old.

import type { Logger } from '../observability/logger.js';
import type { Clock } from '../util/clock.js';
import { LocalRateLimitStore } from './local-store.js';
import { RedisRateLimitStore } from './redis-store.js';
import type { RateLimitStore } from './types.js';

export class RateLimitStores {
  readonly #deps: { readonly logger: Logger; readonly clock?: Clock };
  readonly #local: LocalRateLimitStore;
  #shared: { readonly url: string; readonly store: RedisRateLimitStore } | null = null;

  constructor(deps: { readonly logger: Logger; readonly clock?: Clock }) {
    this.#deps = deps;
    this.#local = new LocalRateLimitStore(deps.clock === undefined ? {} : { clock: deps.clock });
  }

  /** The store for `url` (null: this process's). */
  storeFor(url: string | null): RateLimitStore {
    if (url === null) return this.#local;
    if (this.#shared?.url !== url) {
      this.#shared?.store.close();
      this.#shared = { url, store: new RedisRateLimitStore(url, this.#deps) };
    }
    return this.#shared.store;
  }

  closeAll(): void {
    this.#shared?.store.close();
    this.#shared = null;
    this.#local.close();
  }
}
