--[[
  Which notice a deploy outcome calls for. A failure always gets one and marks deploys as failing; the
  first success after that gets a recovery notice and clears the mark, atomically, so however many
  instances see successes, one recovery is announced.
  Input:
    KEYS[1] failing     id of the deploy that last failed, while nothing has succeeded since
    ARGV[1] outcome     failure | success
    ARGV[2] deployId
  Output: 'failure', 'recovery' or ''
]]
if ARGV[1] == 'failure' then
  redis.call('SET', KEYS[1], ARGV[2])
  return 'failure'
end
if redis.call('DEL', KEYS[1]) == 1 then return 'recovery' end
return ''
