// STUB (issue 13): token buckets in Redis (ioredis). Replaced by the real one.

import type { Logger } from '../observability/logger.js';
import type { Clock } from '../util/clock.js';
import type { RateLimitDecision, RateLimitStore } from './types.js';

export class RedisRateLimitStore implements RateLimitStore {
  constructor(_url: string, _deps: { readonly logger: Logger; readonly clock?: Clock }) {}
  take(): Promise<RateLimitDecision | null> {
    return Promise.resolve(null);
  }
  close(): void {}
}
