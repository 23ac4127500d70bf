--[[
  Reads a content folder's version.
  Input:
    KEYS[1] version    hash {epoch, n}
  Output: {epoch, n}, each nil when Redis holds no version
]]
return redis.call('HMGET', KEYS[1], 'epoch', 'n')
