-- The deploy collecting changes (pending or held): its id and its status, or a new pending deploy and false.
local function ensure_next(prefix, next_key, history_key, new_id, now, reason)
  local id = redis.call('GET', next_key)
  if id then return id, redis.call('HGET', prefix .. 'rec:' .. id, 'status') end
  redis.call('SET', next_key, new_id)
  redis.call('HSET', prefix .. 'rec:' .. new_id, 'id', new_id, 'status', 'pending', 'reason', reason,
    'editCount', 0, 'attempts', 0, 'createdAt', now, 'jobs', 0)
  redis.call('ZADD', history_key, now, new_id)
  return new_id, false
end

-- Whether the deploy needs a wake-up job now: none exists yet and none is in flight (whose end queues it).
local function next_job(rec, inflight_key)
  if redis.call('EXISTS', inflight_key) == 1 then return 0 end
  return redis.call('HINCRBY', rec, 'jobs', 1)
end
