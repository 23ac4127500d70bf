--[[
  Adds one acknowledged content change to the deploy collecting changes (created if there is none) and
  sets when it fires. A held deploy is released: it is pending again.
  Input:
    KEYS[1] next        id of the deploy collecting changes (pending or held)
    KEYS[2] history     sorted set of deploy ids by creation time
    KEYS[3] inflight    "<deployId> <jobId>" of the deploy being dispatched, if any
    ARGV[1] prefix      prefix of records (rec:<id>) and change lists (chg:<id>)
    ARGV[2] now         epoch ms
    ARGV[3] debounceMs
    ARGV[4] maxWaitMs
    ARGV[5] newId       the id of the deploy if one is created
    ARGV[6] change      JSON {kind, id, action, at}
  Output: JSON {id, from?, to, scheduledFor, job}; `from` absent when created; `job` > 0: queue wake-up job <id>.<job>
]]
--- @include "includes/ensure-next"
--- @include "includes/merge-change"
--- @include "includes/fire-at"
local prefix, now = ARGV[1], tonumber(ARGV[2])
local id, from = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[5], now, 'changes')
local rec = prefix .. 'rec:' .. id
merge_change(prefix .. 'chg:' .. id, cjson.decode(ARGV[6]), true)
redis.call('HINCRBY', rec, 'editCount', 1)
redis.call('HSETNX', rec, 'firstChangeAt', now)
redis.call('HSET', rec, 'lastChangeAt', now, 'status', 'pending')
local scheduled
if redis.call('HGET', rec, 'forced') == '1' then
  scheduled = tonumber(redis.call('HGET', rec, 'scheduledFor'))
else
  scheduled = fire_at(tonumber(redis.call('HGET', rec, 'firstChangeAt')), now, tonumber(ARGV[3]), tonumber(ARGV[4]))
  redis.call('HSET', rec, 'scheduledFor', scheduled)
end
local job = 0
if from == false or from == 'held' then
  redis.call('HDEL', rec, 'lastError')
  job = next_job(rec, KEYS[3])
end
return cjson.encode({ id = id, from = from or nil, to = 'pending', scheduledFor = scheduled, job = job })
