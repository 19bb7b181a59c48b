/**
 * `anchoredPeriodOf` + `periodBounds` (period.ts) for Redis scripts, so the gateway's quota
 * period is computed inside Redis from its `TIME` and never from a gateway's clock. The same
 * rule as period.ts: the period containing an instant starts on the anchor day (1–28) of that
 * instant's month when the day has come, else of the month before, at 00:00 UTC, and is named
 * after the month it starts in. Calendar arithmetic is Howard Hinnant's days↔civil algorithm
 * (exact for the proleptic Gregorian calendar). `libs/ratelimit/test/anchored-period-lua.spec.ts`
 * checks it against period.ts on a real Redis, instant by instant.
 *
 * Defines `apim_anchored_period(ms, anchor)` → period ("YYYY-MM"), start ms, end ms.
 */
export const ANCHORED_PERIOD_LUA = `
local function apim_days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = m + 9
  if m > 2 then mp = m - 3 end
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end
local function apim_civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp + 3
  if mp >= 10 then m = mp - 9 end
  if m <= 2 then y = y + 1 end
  return y, m, d
end
local function apim_anchored_period(ms, anchor)
  local y, m, d = apim_civil_from_days(math.floor(ms / 86400000))
  if d < anchor then
    m = m - 1
    if m == 0 then m = 12; y = y - 1 end
  end
  local ny, nm = y, m + 1
  if nm == 13 then nm = 1; ny = y + 1 end
  return string.format('%04d-%02d', y, m), apim_days_from_civil(y, m, anchor) * 86400000,
    apim_days_from_civil(ny, nm, anchor) * 86400000
end
`;

/** A counter of a period lives this long past the period's end (late reads, the worker's reconciliation). */
export const QUOTA_KEY_GRACE_SECONDS = 7 * 86_400;
