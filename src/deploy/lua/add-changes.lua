--[[
  Lists more changes on a claimed deploy: those S3 shows since the last dispatch that no recorded edit
  names. Entries it already has (the recorded edits) are kept as they are.
  Input:
    KEYS[1] changes     the deploy's change list (chg:<id>)
    ARGV[1] changes     JSON list of {kind, id, action, at}
  Output: how many were added
]]
local added = 0
for _, change in ipairs(cjson.decode(ARGV[1])) do
  change.first = change.action
  added = added + redis.call('HSETNX', KEYS[1], change.kind .. ':' .. change.id, cjson.encode(change))
end
return added
