--[[
  Settles a claimed deploy's change list with what S3 showed just before the claim:
  - adds the changes S3 shows since the last dispatch that no recorded edit names (edits whose queue state
    Redis lost, or made by another tool); entries the deploy already has are kept as they are;
  - drops an entry whose write the last dispatch already named: that dispatch named the object, with the
    very ETag this write left, as a change S3 showed (and S3 still holds it). That happens when a write
    reaches S3 before the previous deploy's snapshot but its change is recorded only after that deploy was
    claimed. A delete has no ETag and is never dropped.
  Input:
    KEYS[1] changes     the deploy's change list (chg:<id>)
    ARGV[1] changes     JSON list of {kind, id, action, at} to add
    ARGV[2] dispatched  JSON object "<kind>:<id>" -> ETag the last dispatch named and S3 still holds
  Output: array {added, dropped field...}: how many were added, then the "<kind>:<id>" of each entry dropped
]]
local added = 0
for _, change in ipairs(cjson.decode(ARGV[1])) do
  change.first = change.action
  added = added + redis.call('HSETNX', KEYS[1], change.kind .. ':' .. change.id, cjson.encode(change))
end
local reply = { added }
for field, etag in pairs(cjson.decode(ARGV[2])) do
  local stored = redis.call('HGET', KEYS[1], field)
  if stored and cjson.decode(stored).etag == etag then
    redis.call('HDEL', KEYS[1], field)
    reply[#reply + 1] = field
  end
end
return reply
