-- The folder's epoch, starting a new one (count 0, empty log) when Redis holds none.
local function ensure_epoch(version_key, changes_key, fresh_epoch)
  local epoch = redis.call('HGET', version_key, 'epoch')
  if epoch then return epoch end
  redis.call('HSET', version_key, 'epoch', fresh_epoch, 'n', 0)
  redis.call('DEL', changes_key)
  return fresh_epoch
end
