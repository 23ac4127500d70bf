--[[
  Reads a content folder's version, starting a new epoch when Redis holds none.
  Input:
    KEYS[1] version    hash {epoch, n}
    KEYS[2] changes    the folder's change log
    ARGV[1] freshEpoch used when no epoch exists
  Output: {epoch, n}
]]
--- @include "includes/ensure-epoch"
ensure_epoch(KEYS[1], KEYS[2], ARGV[1])
return redis.call('HMGET', KEYS[1], 'epoch', 'n')
