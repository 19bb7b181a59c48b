import { ANCHORED_PERIOD_LUA, QUOTA_KEY_GRACE_SECONDS } from '@apim/billing';

/**
 * Up to three rolling-window limits + the monthly quota in one atomic script (one round trip),
 * for one request or for several requests of the same app that arrived in the same event-loop
 * turn. All or nothing: a request is admitted only when the quota and every limit have room for
 * its cost (units, cost-weighted routes), and a refused request consumes none of them.
 *
 * KEYS[1..n]   one key per limit (a ZSET in log mode, a HASH in bucket mode)
 * KEYS[n+1]    the quota counter's base (QuotaCounter.base); the counter is `<base>:<period>`, the
 *              period computed here from the clock and the app's billing anchor day (same hash
 *              tag, so the same slot)
 * KEYS[n+2]    optional, test clock only: a key holding an offset in ms added to Redis TIME (the
 *              gateway passes it only when started with APIM_TEST_CLOCK=1, refused in production)
 * ARGV[1]      n (1..3)          ARGV[2] quota (-1 = none)
 * ARGV[3..]    per limit: window µs, limit, mode (0 = exact log, 1 = buckets)
 * then         billing anchor day (1–28), now µs (-1 = Redis TIME; tests pass their own clock)
 * then         per request, in arrival order: its cost (units, ≥ 1), then its unique member suffix
 *
 * Exact log (limits up to EXACT_LOG_MAX): one member per admitted unit, scored with its request's
 * time (a request of cost c adds c members), so at most `limit` units have a score in any
 * half-open window (now − window, now].
 *
 * Buckets (above it): a HASH of at most 61 fields, bucket index → admissions, a bucket being
 * window/60 (indices in ms: floor(ms × 60 / window ms), exact in doubles). A request at bucket k
 * is checked against buckets k − 60 … k, which cover every admission in (now − window, now]:
 * never more than `limit` in any rolling window. They may also hold up to one bucket older than
 * the window, so a request can be refused at most one bucket (window/60) early. Memory is
 * O(buckets), whatever the limit.
 *
 * Time comes from Redis (TIME), not from the gateways, and the script runs atomically, so however
 * many gateways and connections race, the bounds hold. Members are unique (time + request id).
 *
 * Order: the quota first (a refusal for the month is the more useful answer), then the limits.
 *
 * The quota period is the app's anchored billing period containing `now` (ANCHORED_PERIOD_LUA,
 * the Lua twin of @apim/billing's anchoredPeriodOf); the counter's TTL runs to the period's end
 * plus QUOTA_KEY_GRACE_SECONDS. TIME in a script is safe: scripts replicate their effects.
 *
 * Returns, per request, five integers: verdict (0 allowed, 1 rate limited, 2 quota exceeded),
 * remaining (units: a refused call of cost c may leave fewer than c), reset µs, quota used (units), and the index (0-based) of the limit that remaining and reset
 * describe: on a rate-limit refusal the refusing limit that frees up last, otherwise the limit
 * nearest exhaustion (fewest remaining; on a tie the later reset). Then, once for all of them:
 * the quota period ("YYYY-MM", '' without a quota) and µs until it ends (0 without a quota).
 */
export const STACKED_LIMITS_LUA = `${ANCHORED_PERIOD_LUA}
local n = tonumber(ARGV[1])
local quota = tonumber(ARGV[2])
local after = 2 + 3 * n
local anchor = tonumber(ARGV[after + 1])
local now = tonumber(ARGV[after + 2])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
if #KEYS > n + 1 then
  now = now + tonumber(redis.call('GET', KEYS[n + 2]) or '0') * 1000
end
local nowMs = math.floor(now / 1000)
local period, periodEnd, quotaKey, ttl = '', 0, nil, 0
if quota >= 0 then
  local _
  period, _, periodEnd = apim_anchored_period(nowMs, anchor)
  quotaKey = KEYS[n + 1] .. ':' .. period
  ttl = math.ceil((periodEnd - nowMs) / 1000) + ${QUOTA_KEY_GRACE_SECONDS}
end

local win, lim, mode, count, oldest, bucket, taken, stored = {}, {}, {}, {}, {}, {}, {}, {}
for j = 1, n do
  local w = tonumber(ARGV[3 * j])
  win[j] = w
  lim[j] = tonumber(ARGV[3 * j + 1])
  mode[j] = tonumber(ARGV[3 * j + 2])
  taken[j] = {}
  if mode[j] == 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[j], '-inf', now - w)
    count[j] = redis.call('ZCARD', KEYS[j])
    stored[j] = count[j]
    if count[j] > 0 then oldest[j] = tonumber(redis.call('ZRANGE', KEYS[j], 0, 0, 'WITHSCORES')[2]) end
  else
    local k = math.floor(nowMs * 60 / (w / 1000))
    bucket[j] = k
    local h = redis.call('HGETALL', KEYS[j])
    local c = 0
    local stale = {}
    for i = 1, #h, 2 do
      local b = tonumber(h[i])
      if b < k - 60 then
        stale[#stale + 1] = h[i]
      else
        c = c + tonumber(h[i + 1])
        if oldest[j] == nil or b < oldest[j] then oldest[j] = b end
      end
    end
    if #stale > 0 then redis.call('HDEL', KEYS[j], unpack(stale)) end
    count[j] = c
  end
end

local function reset(j)
  if oldest[j] == nil then return win[j] end
  if mode[j] == 0 then return oldest[j] + win[j] - now end
  return math.ceil((oldest[j] + 61) * (win[j] / 60) - now)
end

-- Refused for want of room for \`cost\` units: when enough of them free up. In log mode that is
-- when the (count + cost − limit)-th oldest unit leaves the window (units this batch admitted are
-- the newest, at \`now\`); in bucket mode the oldest bucket, as for one unit.
local function resetFor(j, cost)
  if mode[j] ~= 0 or cost <= 1 then return reset(j) end
  local idx = count[j] + cost - lim[j] - 1
  if cost > lim[j] or idx >= stored[j] then return win[j] end
  return tonumber(redis.call('ZRANGE', KEYS[j], idx, idx, 'WITHSCORES')[2]) + win[j] - now
end

local used = 0
if quota >= 0 then
  used = tonumber(redis.call('GET', quotaKey) or '0')
end

local out = {}
local admitted = 0
for i = after + 3, #ARGV, 2 do
  local cost = tonumber(ARGV[i])
  local verdict = 0
  if quota >= 0 and used + cost > quota then
    verdict = 2
  else
    for j = 1, n do
      if count[j] + cost > lim[j] then verdict = 1 end
    end
  end
  if verdict == 0 then
    local suffix = ARGV[i + 1]
    for j = 1, n do
      count[j] = count[j] + cost
      if mode[j] == 0 then
        local t = taken[j]
        t[#t + 1] = now
        t[#t + 1] = now .. ':' .. suffix
        for u = 2, cost do
          t[#t + 1] = now
          t[#t + 1] = now .. ':' .. suffix .. ':' .. u
        end
        if oldest[j] == nil then oldest[j] = now end
      elseif oldest[j] == nil then
        oldest[j] = bucket[j]
      end
    end
    admitted = admitted + cost
    if quota >= 0 then used = used + cost end
  end
  local pick = 1
  local pickReset = reset(1)
  if verdict == 1 then
    pickReset = -1
    for j = 1, n do
      if count[j] + cost > lim[j] then
        local r = resetFor(j, cost)
        if r > pickReset then pick = j; pickReset = r end
      end
    end
  else
    for j = 2, n do
      local r = reset(j)
      local a, b = lim[j] - count[j], lim[pick] - count[pick]
      if a < b or (a == b and r > pickReset) then pick = j; pickReset = r end
    end
  end
  local remaining = lim[pick] - count[pick]
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = verdict
  out[#out + 1] = remaining
  out[#out + 1] = pickReset
  out[#out + 1] = used
  out[#out + 1] = pick - 1
end

if admitted > 0 then
  for j = 1, n do
    if mode[j] == 0 then
      -- In chunks: unpack takes a few thousand values at most, and a batch may add up to 2 × limit.
      local t = taken[j]
      for c = 1, #t, 2000 do
        redis.call('ZADD', KEYS[j], unpack(t, c, math.min(c + 1999, #t)))
      end
      redis.call('PEXPIRE', KEYS[j], math.ceil(win[j] / 1000) + 1000)
    else
      redis.call('HINCRBY', KEYS[j], string.format('%.0f', bucket[j]), admitted)
      redis.call('PEXPIRE', KEYS[j], math.ceil(win[j] / 1000 + win[j] / 60000) + 1000)
    end
  end
  if quota >= 0 then
    if redis.call('INCRBY', quotaKey, admitted) == admitted then redis.call('EXPIRE', quotaKey, ttl) end
  end
end
out[#out + 1] = period
if quota >= 0 then out[#out + 1] = periodEnd * 1000 - now else out[#out + 1] = 0 end
return out
`;

/** Most requests one script call decides (each takes two arguments: cost and member). */
export const STACKED_LIMITS_MAX_BATCH = 500;

/** Limits above this many requests use the bucketed window instead of the exact log (EXACT_LOG_MAX). */
export const DEFAULT_EXACT_LOG_MAX = 1000;

/** Buckets per window in bucket mode; a request may be refused at most window/BUCKETS early. */
export const WINDOW_BUCKETS = 60;
