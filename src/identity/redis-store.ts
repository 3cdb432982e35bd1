// Token buckets in Redis (server.rateLimitStore): every replica and worker pointing at the same
// Redis shares each bucket. One Lua script per decision (redis-bucket-script.ts, sent once and
// then run by its SHA: ioredis's defineCommand falls back to EVAL after a Redis restart emptied
// its script cache).
//
// Redis down, slow or refusing never holds a request up and never refuses one: the client does
// not queue commands while disconnected (enableOfflineQueue false: they fail at once), a command
// waits at most COMMAND_TIMEOUT_MS, and any failure resolves null, which the gate lets through
// (fail open) and counts. ioredis reconnects by itself (every second at most), so buckets are
// shared again as soon as Redis is back, without a restart. Failures are logged one line a second
// at most, with the number of failures the line stands for.
//
// A bucket's Redis key is `strangler:rl:` and the first 32 hex digits of the SHA-256 of its key,
// never the key itself: a `header:Authorization` limit would otherwise put credentials into key
// names anyone with KEYS or MONITOR reads. (128 bits: no two clients will share a bucket.)

import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { LOG } from '../observability/log-messages.js';
import type { Logger } from '../observability/logger.js';
import { systemClock, type Clock } from '../util/clock.js';
import { BUCKET_KEY_PREFIX, TAKE_TOKEN_LUA } from './redis-bucket-script.js';
import type { RateLimitDecision, RateLimitStore } from './types.js';

export const COMMAND_TIMEOUT_MS = 200;
const CONNECT_TIMEOUT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 1000;
const LOG_EVERY_MS = 1000;

type BucketClient = Redis & {
  stranglerTakeToken(key: string, perSecond: string, burst: string): Promise<unknown>;
};

export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: BucketClient;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #store: string;
  #loggedAt = -Infinity;
  /** Failures since the last line. */
  #failures = 0;
  #closed = false;

  constructor(url: string, deps: { readonly logger: Logger; readonly clock?: Clock }) {
    this.#logger = deps.logger;
    this.#clock = deps.clock ?? systemClock;
    this.#store = redactedUrl(url);
    this.#client = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
    }) as BucketClient;
    this.#client.defineCommand('stranglerTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    // Connection errors arrive as events (one per reconnect attempt); without a listener ioredis
    // would print them itself.
    this.#client.on('error', (err: unknown) => this.#failed(err));
  }

  take(key: string, perSecond: number, burst: number): Promise<RateLimitDecision | null> {
    if (this.#closed) return Promise.resolve(null);
    try {
      return this.#client
        .stranglerTakeToken(redisKey(key), String(perSecond), String(burst))
        .then(
          (reply) => decisionOf(reply) ?? this.#failed(new Error(`unexpected reply ${JSON.stringify(reply)}`)),
          (err: unknown) => this.#failed(err),
        );
    } catch (err) {
      return Promise.resolve(this.#failed(err));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.disconnect();
  }

  #failed(err: unknown): null {
    if (this.#closed) return null;
    this.#failures++;
    const now = this.#clock.now();
    if (now - this.#loggedAt >= LOG_EVERY_MS) {
      this.#loggedAt = now;
      this.#logger.warn({ msg: LOG.rateLimitStoreFailed, store: this.#store, err: messageOf(err), failures: this.#failures });
      this.#failures = 0;
    }
    return null;
  }
}

/** The Redis key of the bucket `key`: its hash, so no client value is ever a key name. */
export function redisKey(key: string): string {
  return BUCKET_KEY_PREFIX + createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function decisionOf(reply: unknown): RateLimitDecision | null {
  if (!Array.isArray(reply) || reply.length !== 4) return null;
  const [allowed, remaining, retryAfterMs, resetMs] = reply as unknown[];
  if (typeof allowed !== 'number' || typeof remaining !== 'number' || typeof retryAfterMs !== 'number' || typeof resetMs !== 'number') return null;
  return { allowed: allowed === 1, remaining, retryAfterMs, resetMs };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The store's URL for a log line: its password never written. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'redis';
  }
}
