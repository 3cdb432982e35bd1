// STUB (issue 13): token buckets in this process. Replaced by the real one.

import type { Clock } from '../util/clock.js';
import type { RateLimitDecision, RateLimitStore } from './types.js';

export class LocalRateLimitStore implements RateLimitStore {
  constructor(_opts: { readonly maxKeys?: number; readonly clock?: Clock } = {}) {}
  take(_key: string, _perSecond: number, burst: number): RateLimitDecision {
    return { allowed: true, remaining: burst - 1, retryAfterMs: 0, resetMs: 0 };
  }
  close(): void {}
}
