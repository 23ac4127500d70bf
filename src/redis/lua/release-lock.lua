--[[
  Releases a lock, only if this holder still has it (never another holder's after ours expired).
  Input:
    KEYS[1] lock
    ARGV[1] token
  Output: 1 released, 0 no longer ours
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
