--[[
  The change log entries of writes number from+1 .. to.
  Input:
    KEYS[1] changes    sorted set "<n> <id>" scored by n
    ARGV[1] from       exclusive
    ARGV[2] to         inclusive
  Output: the entries, oldest first ("<n> <id>")
]]
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], ARGV[2])
