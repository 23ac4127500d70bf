--[[
  A wake-up job asks to dispatch its deploy. At most one deploy is in flight across every instance: the
  claim moves the pending deploy to `dispatching` and frees `next` for newer changes. The job that holds
  the claim resumes it on its retries (`retrying` -> `dispatching`).
  Input:
    KEYS[1] next
    KEYS[2] inflight
    ARGV[1] prefix
    ARGV[2] deployId    the job's deploy
    ARGV[3] jobId
    ARGV[4] now
  Output: JSON {kind, id?, from?, scheduledFor?}; kind is
    claimed | resumed  this job dispatches deploy `id` now (was `from`)
    busy               deploy `id` is in flight with another job; its end queues the pending one
    stale              the deploy is no longer pending (dispatched already)
    held               the deploy is held: it waits for an edit, a manual deploy or a restart
    wait               not due yet: due at `scheduledFor`
]]
local prefix, deploy_id, job_id, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local inflight = redis.call('GET', KEYS[2])
if inflight then
  local sep = string.find(inflight, ' ', 1, true)
  local owner_id, owner_job = string.sub(inflight, 1, sep - 1), string.sub(inflight, sep + 1)
  if owner_job ~= job_id then return cjson.encode({ kind = 'busy', id = owner_id }) end
  local rec = prefix .. 'rec:' .. owner_id
  local from = redis.call('HGET', rec, 'status')
  redis.call('HSET', rec, 'status', 'dispatching')
  return cjson.encode({ kind = 'resumed', id = owner_id, from = from })
end
if redis.call('GET', KEYS[1]) ~= deploy_id then return cjson.encode({ kind = 'stale' }) end
local rec = prefix .. 'rec:' .. deploy_id
local status = redis.call('HGET', rec, 'status')
if status == 'held' then return cjson.encode({ kind = 'held' }) end
local scheduled = tonumber(redis.call('HGET', rec, 'scheduledFor'))
if scheduled > now then return cjson.encode({ kind = 'wait', scheduledFor = scheduled }) end
redis.call('SET', KEYS[2], deploy_id .. ' ' .. job_id)
redis.call('DEL', KEYS[1])
redis.call('HSET', rec, 'status', 'dispatching')
return cjson.encode({ kind = 'claimed', id = deploy_id, from = status })
