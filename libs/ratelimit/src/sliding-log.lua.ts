/**
 * Sliding-log rate limit + monthly quota in one atomic script (one round trip), for one request
 * or for several requests of the same app that arrived in the same event-loop turn.
 *
 * KEYS[1] rate-limit ZSET (admitted request times, µs)  KEYS[2] quota counter for the period
 * ARGV[1] window µs  ARGV[2] limit  ARGV[3] quota (-1 = none)  ARGV[4] quota key TTL seconds
 * ARGV[5..] one unique member suffix per request, in arrival order
 *
 * Exactness: the time comes from Redis (TIME), not from the gateways, and the script runs
 * atomically, so however many gateways and connections race, at most `limit` members have a
 * score in any half-open window of length `window`. Members are unique (time + request id),
 * so two requests in the same microsecond are both counted. The requests of one call are
 * decided one after the other, exactly as if each had been its own call at the same instant.
 *
 * Order: the quota is checked first (a refusal for the month is the more useful answer), then
 * the window; only when both pass are the slot and the quota unit taken. A refusal of either
 * kind consumes neither.
 *
 * Returns, per request, four integers: verdict (0 allowed, 1 rate limited, 2 quota exceeded),
 * remaining, reset µs, quota used.
 */
export const SLIDING_LOG_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local oldest = nil
if count > 0 then
  oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
end

local used = 0
if quota >= 0 then
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
end

local out = {}
local taken = {}
local added = 0
for i = 5, #ARGV do
  local verdict = 0
  if quota >= 0 and used >= quota then
    verdict = 2
  elseif count >= limit then
    verdict = 1
  else
    taken[#taken + 1] = now
    taken[#taken + 1] = now .. ':' .. ARGV[i]
    if oldest == nil then oldest = now end
    count = count + 1
    added = added + 1
    if quota >= 0 then used = used + 1 end
  end
  local reset = window
  if oldest ~= nil then reset = oldest + window - now end
  local remaining = limit - count
  if verdict == 1 then remaining = 0 end
  out[#out + 1] = verdict
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = used
end

if added > 0 then
  redis.call('ZADD', KEYS[1], unpack(taken))
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  if quota >= 0 then
    if redis.call('INCRBY', KEYS[2], added) == added then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4])) end
  end
end
return out
`;

/** Most requests one script call decides (Lua's unpack takes a few thousand values at most). */
export const SLIDING_LOG_MAX_BATCH = 500;
