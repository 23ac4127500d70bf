--[[
  At start: a held deploy (changes kept after a failure, e.g. a rejected token) fires now, since the
  restart may have fixed the cause. Does nothing when the deploy collecting changes is not held.
  Input:
    KEYS[1] next
    KEYS[2] inflight
    ARGV[1] prefix
    ARGV[2] now
  Output: JSON {} or {id, from, to, scheduledFor, job}
]]
--- @include "includes/ensure-next"
local prefix, now = ARGV[1], tonumber(ARGV[2])
local id = redis.call('GET', KEYS[1])
if not id then return cjson.encode({}) end
local rec = prefix .. 'rec:' .. id
if redis.call('HGET', rec, 'status') ~= 'held' then return cjson.encode({}) end
redis.call('HSET', rec, 'status', 'pending', 'forced', 1, 'scheduledFor', now)
redis.call('HDEL', rec, 'lastError')
return cjson.encode({ id = id, from = 'held', to = 'pending', scheduledFor = now, job = next_job(rec, KEYS[2]) })
