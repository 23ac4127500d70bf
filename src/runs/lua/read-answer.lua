--[[
  The last answer GitHub gave to one query (ETag and body), kept for the next conditional request.
  Input:
    KEYS[1] answer
  Output: the stored JSON, or false
]]
return redis.call('GET', KEYS[1])
