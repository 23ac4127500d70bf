--[[
  Renews a lock, only if this holder still has it.
  Input:
    KEYS[1] lock
    ARGV[1] token
    ARGV[2] ttlMs
  Output: 1 renewed, 0 no longer ours
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
