--[[
  Deploy records with their change lists, newest first: the ids given, or the newest `limit` of the history.
  Input:
    KEYS[1] history
    ARGV[1] prefix
    ARGV[2] limit       how many of the newest to read when no ids are given
    ARGV[3] ids         JSON list of ids, or [] for the newest
  Output: JSON list of {record: {field: value}, changes: [entry JSON...]}; unknown ids are left out
]]
local ids = cjson.decode(ARGV[3])
if #ids == 0 then ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1) end
local out = {}
for _, id in ipairs(ids) do
  local flat = redis.call('HGETALL', ARGV[1] .. 'rec:' .. id)
  if #flat > 0 then
    local record = {}
    for i = 1, #flat, 2 do record[flat[i]] = flat[i + 1] end
    local changes = redis.call('HVALS', ARGV[1] .. 'chg:' .. id)
    out[#out + 1] = { record = record, changes = changes }
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)
