--[[
  Takes the next polling pass if it is due: the key holds the time of the next pass, and taking it moves
  that time a lease ahead, so one instance polls while the others skip. The pass sets the real next time
  when it ends; if its instance dies instead, the lease runs out and any instance takes over.
  Input:
    KEYS[1] nextPoll    epoch ms of the next pass (absent: due now)
    ARGV[1] now
    ARGV[2] leaseMs
  Output: 1 when this caller runs the pass, 0 when it is not due or taken
]]
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
if due > now then return 0 end
redis.call('SET', KEYS[1], now + tonumber(ARGV[2]))
return 1
