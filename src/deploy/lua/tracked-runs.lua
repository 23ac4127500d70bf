--[[
  The deploys whose GitHub Actions run is followed: `dispatched` or `building`, and not given up on. Read
  from the records themselves (no separate index to fall out of step), so a deploy is followed from the
  moment its dispatch is recorded, by whichever instance polls next.
  Input:
    KEYS[1] history
    KEYS[2] inflight
    ARGV[1] prefix
  Output: JSON {deploys: [{id, status, dispatchedAt, run?}], newestDispatchAt?, dispatchInFlight}
]]
local deploys = {}
local newest = nil
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HMGET', ARGV[1] .. 'rec:' .. id, 'status', 'dispatchedAt', 'run', 'runTracking')
  local dispatched_at = tonumber(f[2])
  if dispatched_at then
    if not newest or dispatched_at > newest then newest = dispatched_at end
    if (f[1] == 'dispatched' or f[1] == 'building') and not f[4] then
      deploys[#deploys + 1] = { id = id, status = f[1], dispatchedAt = dispatched_at, run = f[3] and cjson.decode(f[3]) or nil }
    end
  end
end
return cjson.encode({ deploys = deploys, newestDispatchAt = newest, dispatchInFlight = redis.call('EXISTS', KEYS[2]) == 1 })
