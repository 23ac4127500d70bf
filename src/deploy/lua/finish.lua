--[[
  Ends the in-flight deploy: `dispatching` | `retrying` -> `dispatched` | `dry-run` | `failed`, and frees
  the in-flight slot. A failed deploy's changes move into the deploy collecting changes; when there is
  none, a `held` one is created for them (no scheduledFor: it waits for an edit, a manual deploy or a
  restart, so nothing retries against a rejected token). Old records beyond historyMax are dropped.
  Input:
    KEYS[1] inflight
    KEYS[2] next
    KEYS[3] history
    ARGV[1] prefix
    ARGV[2] deployId
    ARGV[3] status      dispatched | dry-run | failed
    ARGV[4] now
    ARGV[5] attempts
    ARGV[6] lastError   '' for none
    ARGV[7] dispatchedAt '' for none
    ARGV[8] run         '' or JSON {id, url, status, conclusion, startedAt, completedAt}
    ARGV[9] carry       1: move the changes on (after a failure)
    ARGV[10] newId      id of a held deploy if one is created
    ARGV[11] heldNote   lastError of a created held deploy: what releases it
    ARGV[12] historyMax
  Output: JSON {from, to, carriedTo?, next?}
    carriedTo: {id, from?, to} where the changes went; next: {id, scheduledFor, job} wake-up to queue
]]
--- @include "includes/ensure-next"
--- @include "includes/merge-change"
local prefix, id, status, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local inflight = redis.call('GET', KEYS[1])
if inflight and string.sub(inflight, 1, string.len(id) + 1) == id .. ' ' then redis.call('DEL', KEYS[1]) end
local rec = prefix .. 'rec:' .. id
local from = redis.call('HGET', rec, 'status')
redis.call('HSET', rec, 'status', status, 'attempts', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', rec, 'lastError', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', rec, 'dispatchedAt', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', rec, 'run', ARGV[8]) end
local reply = { from = from or nil, to = status }

if ARGV[9] == '1' and redis.call('EXISTS', prefix .. 'chg:' .. id) == 1 then
  local next_id, next_from = ensure_next(prefix, KEYS[2], KEYS[3], ARGV[10], now, 'changes')
  local nrec = prefix .. 'rec:' .. next_id
  local next_to = next_from or 'held'
  if not next_from then redis.call('HSET', nrec, 'status', 'held', 'lastError', ARGV[11]) end
  local entries = redis.call('HVALS', prefix .. 'chg:' .. id)
  for _, entry in ipairs(entries) do merge_change(prefix .. 'chg:' .. next_id, cjson.decode(entry), false) end
  redis.call('HINCRBY', nrec, 'editCount', tonumber(redis.call('HGET', rec, 'editCount') or '0'))
  local first = tonumber(redis.call('HGET', rec, 'firstChangeAt') or now)
  local nfirst = tonumber(redis.call('HGET', nrec, 'firstChangeAt') or first)
  redis.call('HSET', nrec, 'firstChangeAt', math.min(first, nfirst))
  redis.call('HSETNX', nrec, 'lastChangeAt', redis.call('HGET', rec, 'lastChangeAt') or now)
  reply.carriedTo = { id = next_id, from = next_from or nil, to = next_to }
end

local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[12])
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
if next_id then
  local nrec = prefix .. 'rec:' .. next_id
  if redis.call('HGET', nrec, 'status') ~= 'held' then
    reply.next = { id = next_id, scheduledFor = tonumber(redis.call('HGET', nrec, 'scheduledFor')), job = redis.call('HINCRBY', nrec, 'jobs', 1) }
  end
end
return cjson.encode(reply)
