// The token bucket, as pure arithmetic: a bucket holds at most `burst` tokens, refills at
// `perSecond` tokens a second, and each request takes one. The local store runs it on objects it
// keeps; the Redis store runs the same formulas in Lua (redis-bucket-script.ts), so one bucket
// means the same thing wherever it lives. Time is in milliseconds; tokens are fractional.

import type { RateLimitDecision } from './types.js';

export interface BucketState {
  /** Tokens in the bucket at `updatedAtMs` (0 <= tokens <= burst). */
  tokens: number;
  updatedAtMs: number;
}

/** The tokens in the bucket at `nowMs`. A clock that went back refills nothing. */
export function tokensAt(state: BucketState, nowMs: number, perSecond: number, burst: number): number {
  const elapsed = nowMs - state.updatedAtMs;
  const tokens = elapsed > 0 ? state.tokens + (elapsed * perSecond) / 1000 : state.tokens;
  return tokens < burst ? tokens : burst;
}

/** The longest wait msUntil reports (about 31.7 years): a rate so small that a token takes
 *  longer is answered with this rather than counted. An integer Lua writes exactly (%.14g) for
 *  PEXPIRE, far below where adding 1 to a double stops changing it. */
export const MAX_WAIT_MS = 1e12;
/** Steps the correction below may take; the division is off by one at most. */
const MAX_STEPS = 4;

/** The milliseconds until a bucket holding `tokens` holds `target` (>= 0): the first whole
 *  millisecond at which tokensAt() reaches it, at most MAX_WAIT_MS. The division can be off by
 *  an ulp either way; a few bounded steps settle it on the same arithmetic tokensAt() does (no
 *  loop can run on: a rate like 1e-306 makes the division Infinity, answered MAX_WAIT_MS). */
export function msUntil(tokens: number, target: number, perSecond: number): number {
  if (tokens >= target) return 0;
  let ms = Math.ceil(((target - tokens) * 1000) / perSecond);
  if (!(ms < MAX_WAIT_MS)) return MAX_WAIT_MS; // Infinity and NaN too
  for (let i = 0; i < MAX_STEPS && tokens + (ms * perSecond) / 1000 < target; i++) ms++;
  for (let i = 0; i < MAX_STEPS && ms > 1 && tokens + ((ms - 1) * perSecond) / 1000 >= target; i++) ms--;
  return ms;
}

/** Takes one token from `state` at `nowMs`, updating it in place (the local store's hot path:
 *  no allocation but the decision). A missing bucket is a full one: pass `fullBucket(nowMs, burst)`. */
export function takeInPlace(state: BucketState, nowMs: number, perSecond: number, burst: number): RateLimitDecision {
  let tokens = tokensAt(state, nowMs, perSecond, burst);
  const allowed = tokens >= 1;
  if (allowed) tokens -= 1;
  state.tokens = tokens;
  if (nowMs > state.updatedAtMs) state.updatedAtMs = nowMs;
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterMs: allowed ? 0 : Math.max(1, msUntil(tokens, 1, perSecond)),
    resetMs: msUntil(tokens, burst, perSecond),
  };
}

export function fullBucket(nowMs: number, burst: number): BucketState {
  return { tokens: burst, updatedAtMs: nowMs };
}

/** The pure form: the new state and the decision; `state` null is a bucket never used (full). */
export function takeToken(
  state: Readonly<BucketState> | null,
  nowMs: number,
  perSecond: number,
  burst: number,
): { readonly state: BucketState; readonly decision: RateLimitDecision } {
  const next = state === null ? fullBucket(nowMs, burst) : { tokens: state.tokens, updatedAtMs: state.updatedAtMs };
  const decision = takeInPlace(next, nowMs, perSecond, burst);
  return { state: next, decision };
}
