--[[
  An attempt of the in-flight deploy failed in a way worth retrying: `dispatching` -> `retrying`.
  Input:
    KEYS[1] record      rec:<id>
    ARGV[1] attempts    attempts made so far
    ARGV[2] lastError   why, in words a person can act on
    ARGV[3] retryAt     epoch ms of the next attempt
  Output: JSON {from}; a deploy not `dispatching` is left alone
]]
local from = redis.call('HGET', KEYS[1], 'status')
if from ~= 'dispatching' then return cjson.encode({ from = from or nil }) end
redis.call('HSET', KEYS[1], 'status', 'retrying', 'attempts', ARGV[1], 'lastError', ARGV[2], 'scheduledFor', ARGV[3])
return cjson.encode({ from = from, to = 'retrying' })
