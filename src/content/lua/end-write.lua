--[[
  The write is over: its change is recorded (or it failed).
  Input:
    KEYS[1] writes     sorted set of write tokens scored by when they lapse (epoch ms)
    ARGV[1] token
  Output: 1 when the note was still there
]]
return redis.call('ZREM', KEYS[1], ARGV[1])
