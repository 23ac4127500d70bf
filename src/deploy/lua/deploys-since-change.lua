--[[
  For "is this entity's latest change on the site?": the newest deploy whose changes name the entity, and
  every deploy created after it (their builds carry the change too: a build reads the whole bucket).
  Records beyond the kept history are gone, and with them the answer.
  Input:
    KEYS[1] history
    ARGV[1] prefix
    ARGV[2] field       kind:id of the entity, as the change lists name it
  Output: JSON list of deploy ids, oldest first (the one naming the entity first); [] when no kept deploy names it
]]
local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
for i, id in ipairs(ids) do
  if redis.call('HEXISTS', ARGV[1] .. 'chg:' .. id, ARGV[2]) == 1 then
    local found = {}
    for j = i, 1, -1 do found[#found + 1] = ids[j] end
    return cjson.encode(found)
  end
end
return '[]'
