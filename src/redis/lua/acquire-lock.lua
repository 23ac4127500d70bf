--[[
  Takes a lock if nobody holds it.
  Input:
    KEYS[1] lock     the lock key
    ARGV[1] token    random, identifies this holder
    ARGV[2] ttlMs    the lock frees itself after this long unless renewed
  Output: 1 taken, 0 held by someone else
]]
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0
