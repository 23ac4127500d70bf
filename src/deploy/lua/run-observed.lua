--[[
  Run tracking saw the GitHub Actions run of a dispatched deploy: `dispatched` | `building` -> `building` |
  `live` | `build-failed` | `superseded`, keeping the run as last seen. Never backwards: a deploy that
  already reached a later step, or is no longer followed, keeps what it has, so a late or replayed report
  (a webhook delivered twice, a poll that crossed a webhook) changes nothing.
  Input:
    KEYS[1] record
    ARGV[1] to          building | live | build-failed | superseded
    ARGV[2] run         JSON {id, url, status, conclusion, startedAt, completedAt}
    ARGV[3] lastError   '' for none
  Output: JSON {from, to} when the deploy or its run changed, {} when refused
]]
local step = { dispatched = 0, building = 1, live = 2, ['build-failed'] = 2, superseded = 2 }
local from = redis.call('HGET', KEYS[1], 'status')
local to = ARGV[1]
if not from or step[from] == nil or step[to] == nil then return '{}' end
if step[from] == 2 or step[to] < step[from] then return '{}' end
if redis.call('HEXISTS', KEYS[1], 'runTracking') == 1 then return '{}' end
redis.call('HSET', KEYS[1], 'status', to, 'run', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'lastError', ARGV[3]) end
return cjson.encode({ from = from, to = to })
