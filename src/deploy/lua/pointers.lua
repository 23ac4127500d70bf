--[[
  Where the pipeline stands: the deploy collecting changes and the one in flight.
  Input:
    KEYS[1] next
    KEYS[2] inflight
    ARGV[1] prefix
  Output: JSON {next?: {id, status, scheduledFor?, jobs}, inflight?: {id, jobId}}; jobs: wake-up jobs queued so far
]]
local reply = {}
local next_id = redis.call('GET', KEYS[1])
if next_id then
  local fields = redis.call('HMGET', ARGV[1] .. 'rec:' .. next_id, 'status', 'scheduledFor', 'jobs')
  reply.next = { id = next_id, status = fields[1] or nil, scheduledFor = tonumber(fields[2] or ''), jobs = tonumber(fields[3] or '0') }
end
local inflight = redis.call('GET', KEYS[2])
if inflight then
  local sep = string.find(inflight, ' ', 1, true)
  reply.inflight = { id = string.sub(inflight, 1, sep - 1), jobId = string.sub(inflight, sep + 1) }
end
return cjson.encode(reply)
