--[[
  Run tracking gives up on a deploy (its run never appeared, or did not finish in time): the deploy keeps
  its status (`dispatched` or `building`), gains a lastError saying why, and is no longer followed.
  Input:
    KEYS[1] record
    ARGV[1] lastError
  Output: 1 when it stopped following the deploy, 0 when it was not followed
]]
local status = redis.call('HGET', KEYS[1], 'status')
if (status ~= 'dispatched' and status ~= 'building') or redis.call('HEXISTS', KEYS[1], 'runTracking') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'runTracking', 'stopped', 'lastError', ARGV[1])
return 1
