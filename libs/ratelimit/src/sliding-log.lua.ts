/**
 * Sliding-log rate limit + monthly quota in one atomic script (one round trip per request).
 *
 * KEYS[1] rate-limit ZSET (admitted request times, µs)  KEYS[2] quota counter for the period
 * ARGV[1] window µs  ARGV[2] limit  ARGV[3] quota (-1 = none)  ARGV[4] unique member suffix
 * ARGV[5] quota key TTL seconds
 *
 * Exactness: the time comes from Redis (TIME), not from the gateways, and the script runs
 * atomically, so however many gateways and connections race, at most `limit` members have a
 * score in any half-open window of length `window`. Members are unique (time + request id),
 * so two requests in the same microsecond are both counted.
 *
 * Order: the quota is checked first (a refusal for the month is the more useful answer), then
 * the window; only when both pass are the slot and the quota unit taken. A refusal of either
 * kind consumes neither.
 *
 * Returns { verdict (0 allowed, 1 rate limited, 2 quota exceeded), remaining, reset µs, quota used }.
 */
export const SLIDING_LOG_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])

local function reset_us()
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] == nil then return window end
  return tonumber(oldest[2]) + window - now
end

local used = 0
if quota >= 0 then
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= quota then
    return {2, limit - count, reset_us(), used}
  end
end

if count >= limit then
  return {1, 0, reset_us(), used}
end

redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
if quota >= 0 then
  used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5])) end
end
return {0, limit - count - 1, reset_us(), used}
`;
