--[[
  Keeps GitHub's latest answer to one query (ETag and body) for a while.
  Input:
    KEYS[1] answer
    ARGV[1] json        {query, etag, value}
    ARGV[2] ttlMs
  Output: 1
]]
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
