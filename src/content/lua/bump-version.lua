--[[
  Counts one write to a content folder and logs the id written. When Redis has lost the count, a new epoch
  starts (so no copy can take the restarted count for one it has already seen).
  Input:
    KEYS[1] version    hash {epoch, n}
    KEYS[2] changes    sorted set "<n> <id>" scored by n, capped
    ARGV[1] freshEpoch used when no epoch exists
    ARGV[2] id         the entity written
    ARGV[3] logLength  how many entries the change log keeps
  Output: {epoch, n}
]]
--- @include "includes/ensure-epoch"
local epoch = ensure_epoch(KEYS[1], KEYS[2], ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('ZADD', KEYS[2], n, n .. ' ' .. ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
return {epoch, n}
