-- The schedule rule, the only place it is written: a pending deploy fires a quiet window (debounce) after
-- its last change, but no change waits longer than max-wait after the first one it carries.
local function fire_at(first_change, last_change, debounce, max_wait)
  return math.min(last_change + debounce, first_change + max_wait)
end
