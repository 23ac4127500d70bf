--[[
  Makes the deploy collecting changes (created if there is none) fire now: a manual deploy, or the
  watchdog re-sending the changes of a deploy whose worker died. A held deploy is released.
  Input:
    KEYS[1] next
    KEYS[2] history
    KEYS[3] inflight
    ARGV[1] prefix
    ARGV[2] now
    ARGV[3] newId
    ARGV[4] reason      manual | reconcile (a manual request is never relabelled)
  Output: JSON {id, from?, to, scheduledFor, job, promote}; promote = 1: job <id>.<job> exists, make it run now
]]
--- @include "includes/ensure-next"
local prefix, now, reason = ARGV[1], tonumber(ARGV[2]), ARGV[4]
local id, from = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[3], now, reason)
local rec = prefix .. 'rec:' .. id
if reason == 'manual' or redis.call('HGET', rec, 'reason') ~= 'manual' then redis.call('HSET', rec, 'reason', reason) end
redis.call('HSET', rec, 'status', 'pending', 'forced', 1, 'scheduledFor', now)
redis.call('HDEL', rec, 'lastError')
local job, promote = 0, 0
local jobs = tonumber(redis.call('HGET', rec, 'jobs'))
if from == 'pending' and jobs > 0 then
  job, promote = jobs, 1
else
  job = next_job(rec, KEYS[3])
end
return cjson.encode({ id = id, from = from or nil, to = 'pending', scheduledFor = now, job = job, promote = promote })
