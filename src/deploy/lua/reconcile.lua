--[[
  The reconcile pass found S3 ahead of what was last dispatched. Unless edits started a pending deploy
  meanwhile (it carries the bucket's state anyway), a `reconcile` deploy fires now naming the differences;
  a held deploy takes them and is released.
  Input:
    KEYS[1] next
    KEYS[2] history
    KEYS[3] inflight
    ARGV[1] prefix
    ARGV[2] now
    ARGV[3] newId
    ARGV[4] changes     JSON list of {kind, id, action, at}
  Output: JSON {} when a deploy is already pending, else {id, from?, to, scheduledFor, job}
]]
--- @include "includes/ensure-next"
--- @include "includes/merge-change"
local prefix, now = ARGV[1], tonumber(ARGV[2])
local pending = redis.call('GET', KEYS[1])
if pending and redis.call('HGET', prefix .. 'rec:' .. pending, 'status') ~= 'held' then return cjson.encode({}) end
local id, from = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[3], now, 'reconcile')
local rec = prefix .. 'rec:' .. id
local changes = cjson.decode(ARGV[4])
for _, change in ipairs(changes) do merge_change(prefix .. 'chg:' .. id, change, true) end
redis.call('HINCRBY', rec, 'editCount', #changes)
redis.call('HSETNX', rec, 'firstChangeAt', now)
redis.call('HSET', rec, 'lastChangeAt', now, 'reason', 'reconcile', 'status', 'pending', 'forced', 1, 'scheduledFor', now)
redis.call('HDEL', rec, 'lastError')
return cjson.encode({ id = id, from = from or nil, to = 'pending', scheduledFor = now, job = next_job(rec, KEYS[3]) })
