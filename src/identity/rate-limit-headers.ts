// The rate-limit response fields (IETF draft-ietf-httpapi-ratelimit-headers, structured fields
// since draft 08): `RateLimit-Policy: "burst";q=<burst>;w=<seconds to refill it>` names the
// route's bucket, `RateLimit: "burst";r=<tokens left>;t=<seconds until full>` its state now.
// Pure.

import type { EffectiveRateLimit } from '../routing/types.js';
import type { RateLimitDecision } from './types.js';

export function rateLimitHeaders(limit: EffectiveRateLimit, d: RateLimitDecision): string[] {
  const window = Math.max(1, Math.ceil(limit.burst / limit.requestsPerSecond));
  return [
    'ratelimit-policy', `"burst";q=${limit.burst};w=${window}`,
    'ratelimit', `"burst";r=${Math.max(0, Math.floor(d.remaining))};t=${Math.max(0, Math.ceil(d.resetMs / 1000))}`,
  ];
}

export function retryAfterHeaders(seconds: number): string[] {
  return ['retry-after', String(seconds)];
}
