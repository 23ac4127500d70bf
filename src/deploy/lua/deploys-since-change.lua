--[[
  For "is this entity's latest change on the site?": the newest deploy whose changes name the entity, and
  every deploy created after it, oldest first (their builds carry the change too: a build reads the whole
  bucket). Records beyond the kept history are gone, and then so is the answer.
  Input:
    KEYS[1] history
    ARGV[1] prefix
    ARGV[2] field       kind:id of the entity, as the change lists name it
  Output: JSON {change, deploys: [{id, status, dispatchedAt?, lastChangeAt?, run?}]}, or {} when no kept deploy names it
]]
local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
for i, id in ipairs(ids) do
  local change = redis.call('HGET', ARGV[1] .. 'chg:' .. id, ARGV[2])
  if change then
    local deploys = {}
    for j = i, 1, -1 do
      local f = redis.call('HMGET', ARGV[1] .. 'rec:' .. ids[j], 'status', 'dispatchedAt', 'lastChangeAt', 'run')
      if f[1] then
        deploys[#deploys + 1] = { id = ids[j], status = f[1], dispatchedAt = tonumber(f[2]), lastChangeAt = tonumber(f[3]), run = f[4] and cjson.decode(f[4]) or nil }
      end
    end
    return cjson.encode({ change = cjson.decode(change), deploys = deploys })
  end
end
return '{}'
