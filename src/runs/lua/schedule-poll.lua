--[[
  Sets when the next polling pass is due (0: at the next tick of any instance).
  Input:
    KEYS[1] nextPoll
    ARGV[1] at          epoch ms
  Output: 1
]]
redis.call('SET', KEYS[1], ARGV[1])
return 1
