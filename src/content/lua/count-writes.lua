--[[
  How many content writes are in progress; notes that lapsed (their process died) are dropped.
  Input:
    KEYS[1] writes     sorted set of write tokens scored by when they lapse (epoch ms)
    ARGV[1] now        epoch ms
  Output: the number of writes in progress
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])
