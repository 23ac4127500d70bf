/**
 * Redis scripts that move the deploy state atomically, so any number of instances on one Redis behave as
 * one service. Keys (all under QUEUE_PREFIX, so a Cluster hash tag covers them):
 *   next      id of the pending deploy collecting changes (absent when nothing is pending)
 *   inflight  "<deployId> <jobId>" of the deploy being dispatched or retried (at most one)
 *   history   zset of deploy ids by creation time (bounded)
 *   rec:<id>  hash: the deploy record;  chg:<id>  hash "kind:id" -> change JSON (latest action wins)
 * Times are epoch milliseconds. ARGV[1] is always the record/changes key prefix.
 */

// Creates the pending deploy record if there is none; returns its id and whether it was created.
const ENSURE_NEXT = `
local function ensure_next(prefix, next_key, history_key, new_id, now, reason)
  local id = redis.call('GET', next_key)
  if id then return id, 0 end
  redis.call('SET', next_key, new_id)
  redis.call('HSET', prefix .. 'rec:' .. new_id, 'id', new_id, 'status', 'pending', 'reason', reason,
    'editCount', 0, 'attempts', 0, 'createdAt', now, 'jobs', 0)
  redis.call('ZADD', history_key, now, new_id)
  return new_id, 1
end
`;

/** KEYS: next, history, inflight. ARGV: prefix, now, debounce, maxWait, newId, field, changeJson. */
export const RECORD_CHANGE = `${ENSURE_NEXT}
local prefix, now = ARGV[1], tonumber(ARGV[2])
local id, created = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[5], now, 'changes')
local rec = prefix .. 'rec:' .. id
redis.call('HSET', prefix .. 'chg:' .. id, ARGV[6], ARGV[7])
redis.call('HINCRBY', rec, 'editCount', 1)
redis.call('HSETNX', rec, 'firstChangeAt', now)
redis.call('HSET', rec, 'lastChangeAt', now)
local released = redis.call('HDEL', rec, 'held')
local scheduled
if redis.call('HGET', rec, 'forced') == '1' then
  scheduled = tonumber(redis.call('HGET', rec, 'scheduledFor'))
else
  local first = tonumber(redis.call('HGET', rec, 'firstChangeAt'))
  scheduled = math.min(now + tonumber(ARGV[3]), first + tonumber(ARGV[4]))
  redis.call('HSET', rec, 'scheduledFor', scheduled)
end
local job = 0
if (created == 1 or released == 1) and redis.call('EXISTS', KEYS[3]) == 0 then job = redis.call('HINCRBY', rec, 'jobs', 1) end
return {id, scheduled, job}
`;

/** Fire the pending deploy now (manual or reconcile). KEYS: next, history, inflight. ARGV: prefix, now, newId, reason. */
export const FORCE_NOW = `${ENSURE_NEXT}
local prefix, now = ARGV[1], tonumber(ARGV[2])
local id = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[3], now, ARGV[4])
local rec = prefix .. 'rec:' .. id
if ARGV[4] == 'manual' or redis.call('HGET', rec, 'reason') ~= 'manual' then redis.call('HSET', rec, 'reason', ARGV[4]) end
redis.call('HSET', rec, 'forced', 1, 'scheduledFor', now)
redis.call('HDEL', rec, 'held')
local job = 0
if redis.call('EXISTS', KEYS[3]) == 0 then job = redis.call('HINCRBY', rec, 'jobs', 1) end
return {id, now, job}
`;

/**
 * The reconcile pass found S3 ahead of the last dispatch. Unless edits have started a pending deploy since
 * (it will carry the bucket's state anyway), start a `reconcile` deploy now naming the differences.
 * KEYS: next, history, inflight. ARGV: prefix, now, newId, changes (JSON list of {kind,id,action,at}).
 * Returns {} when a deploy is already pending, else {id, now, jobNumber (0 while one is in flight)}.
 */
export const RECONCILE = `${ENSURE_NEXT}
local prefix, now = ARGV[1], tonumber(ARGV[2])
local pending = redis.call('GET', KEYS[1])
if pending and redis.call('HGET', prefix .. 'rec:' .. pending, 'held') ~= '1' then return {} end
local id = ensure_next(prefix, KEYS[1], KEYS[2], ARGV[3], now, 'reconcile')
local rec = prefix .. 'rec:' .. id
local changes = cjson.decode(ARGV[4])
for _, change in ipairs(changes) do
  redis.call('HSET', prefix .. 'chg:' .. id, change.kind .. ':' .. change.id, cjson.encode(change))
end
redis.call('HINCRBY', rec, 'editCount', #changes)
redis.call('HSETNX', rec, 'firstChangeAt', now)
redis.call('HSET', rec, 'lastChangeAt', now, 'reason', 'reconcile', 'forced', 1, 'scheduledFor', now)
redis.call('HDEL', rec, 'held')
local job = 0
if redis.call('EXISTS', KEYS[3]) == 0 then job = redis.call('HINCRBY', rec, 'jobs', 1) end
return {id, now, job}
`;

/**
 * A job asks to dispatch deploy ARGV[2]. KEYS: next, inflight. ARGV: prefix, deployId, jobId, now.
 * Returns {'claimed'|'resume', id} | {'busy', inflightId} | {'stale'} | {'wait', scheduledFor}.
 */
export const CLAIM = `
local prefix, deploy_id, job_id, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local inflight = redis.call('GET', KEYS[2])
if inflight then
  local sep = string.find(inflight, ' ', 1, true)
  local owner_id, owner_job = string.sub(inflight, 1, sep - 1), string.sub(inflight, sep + 1)
  if owner_job == job_id then return {'resume', owner_id} end
  return {'busy', owner_id}
end
if redis.call('GET', KEYS[1]) ~= deploy_id then return {'stale'} end
local rec = prefix .. 'rec:' .. deploy_id
local scheduled = tonumber(redis.call('HGET', rec, 'scheduledFor'))
if scheduled > now then return {'wait', scheduled} end
redis.call('SET', KEYS[2], deploy_id .. ' ' .. job_id)
redis.call('DEL', KEYS[1])
redis.call('HSET', rec, 'status', 'dispatching')
return {'claimed', deploy_id}
`;

/**
 * Ends the in-flight deploy ARGV[2] with a final status. A failed deploy's changes are carried into the
 * pending one (created and held if there is none: it waits for the next edit, manual deploy or restart).
 * KEYS: inflight, next, history. ARGV: prefix, id, status, now, attempts, lastError, dispatchedAt, carry, newId, historyMax.
 * Returns {} or {nextId, scheduledFor, jobNumber} for a pending deploy that needs a wake-up job.
 */
export const FINISH = `${ENSURE_NEXT}
local prefix, id, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local inflight = redis.call('GET', KEYS[1])
if inflight and string.sub(inflight, 1, string.len(id) + 1) == id .. ' ' then redis.call('DEL', KEYS[1]) end
local rec = prefix .. 'rec:' .. id
redis.call('HSET', rec, 'status', ARGV[3], 'attempts', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', rec, 'lastError', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', rec, 'dispatchedAt', ARGV[7]) end
if ARGV[8] == '1' and redis.call('EXISTS', prefix .. 'chg:' .. id) == 1 then
  local next_id, created = ensure_next(prefix, KEYS[2], KEYS[3], ARGV[9], now, 'changes')
  local nrec = prefix .. 'rec:' .. next_id
  if created == 1 then redis.call('HSET', nrec, 'held', 1) end
  local changes = redis.call('HGETALL', prefix .. 'chg:' .. id)
  for i = 1, #changes, 2 do redis.call('HSETNX', prefix .. 'chg:' .. next_id, changes[i], changes[i + 1]) end
  redis.call('HINCRBY', nrec, 'editCount', tonumber(redis.call('HGET', rec, 'editCount') or '0'))
  local first = tonumber(redis.call('HGET', rec, 'firstChangeAt') or now)
  local nfirst = tonumber(redis.call('HGET', nrec, 'firstChangeAt') or first)
  redis.call('HSET', nrec, 'firstChangeAt', math.min(first, nfirst))
  redis.call('HSETNX', nrec, 'lastChangeAt', redis.call('HGET', rec, 'lastChangeAt') or now)
  redis.call('HSETNX', nrec, 'scheduledFor', now)
end
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[10])
if excess > 0 then
  local pending = redis.call('GET', KEYS[2])
  for _, old in ipairs(redis.call('ZRANGE', KEYS[3], 0, excess - 1)) do
    if old ~= pending and old ~= id then
      redis.call('DEL', prefix .. 'rec:' .. old, prefix .. 'chg:' .. old)
      redis.call('ZREM', KEYS[3], old)
    end
  end
end
local next_id = redis.call('GET', KEYS[2])
if not next_id then return {} end
local nrec = prefix .. 'rec:' .. next_id
if redis.call('HGET', nrec, 'held') == '1' then return {} end
return {next_id, tonumber(redis.call('HGET', nrec, 'scheduledFor')), redis.call('HINCRBY', nrec, 'jobs', 1)}
`;
