// The token bucket of token-bucket.ts in Lua, run by Redis in one step (EVALSHA) so that every
// proxy sharing the store sees and updates the same bucket atomically.
//
// The time is Redis's own (TIME), not the caller's: replicas whose clocks disagree would otherwise
// refill one bucket by different amounts (a replica a second behind would see no refill at all, one
// a second ahead would mint a second's worth of tokens). With one clock every replica agrees
// exactly. redis.replicate_commands() lets a script write after TIME on Redis 3.2 to 4 (it is
// the default from 5 and a no-op since 7).
//
// The hash `strangler:rl:<hash of the key>` (redis-store.ts) holds `tokens` (fractional) and `ts` (ms); it expires when it
// would be full again, so idle clients cost Redis nothing. Returns integers (Lua numbers are
// truncated on the way out): allowed (0/1), whole tokens left, ms until one token, ms until full.
// msUntil is bounded as in token-bucket.ts: at most MAX_WAIT_MS, a few correction steps.

import { MAX_WAIT_MS } from './token-bucket.js';

export const BUCKET_KEY_PREFIX = 'strangler:rl:';

export const TAKE_TOKEN_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(h[1])
local ts = tonumber(h[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = tokens + (now - ts) * rate
  ts = now
end
if tokens > burst then tokens = burst end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local function msUntil(target)
  if tokens >= target then return 0 end
  local ms = math.ceil((target - tokens) / rate)
  if ms ~= ms or ms >= ${MAX_WAIT_MS} then return ${MAX_WAIT_MS} end
  local i = 0
  while i < 4 and tokens + ms * rate < target do ms = ms + 1; i = i + 1 end
  i = 0
  while i < 4 and ms > 1 and tokens + (ms - 1) * rate >= target do ms = ms - 1; i = i + 1 end
  return ms
end
local retry = 0
if allowed == 0 then retry = math.max(1, msUntil(1)) end
local reset = msUntil(burst)
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', ts)
redis.call('PEXPIRE', KEYS[1], math.max(1, reset))
return { allowed, math.floor(tokens), retry, reset }
`;
