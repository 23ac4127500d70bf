--[[
  Notes a content write in progress: from before its S3 write until its change is recorded for deploy.
  Scored by when the note lapses, so a process that dies mid-write holds nobody up for long.
  Input:
    KEYS[1] writes     sorted set of write tokens scored by when they lapse (epoch ms)
    ARGV[1] token
    ARGV[2] lapsesAt   epoch ms
  Output: 1
]]
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
