-- A deploy lists one entry per entity: {kind, id, action, at} plus `first`, the action that started the
-- entry, and `etag`, the ETag the latest write left (none after a delete: settle-changes compares it).
-- Its action says what the deploy does to the site:
--   first created: "created" (new to the site) through later updates; "deleted" once deleted again
--   first updated or deleted: the latest action, except that deleted then created again is "updated"
local function net_action(first, latest)
  if first == 'created' then
    if latest == 'deleted' then return 'deleted' end
    return 'created'
  end
  if latest == 'created' then return 'updated' end
  return latest
end

-- Merges `change` (a table) into the entry for its entity in the list at `changes_key`. `newer` tells
-- whether the change came after the entry already there (an edit) or before it (changes carried over from
-- a failed deploy into the one collecting newer edits).
local function merge_change(changes_key, change, newer)
  local field = change.kind .. ':' .. change.id
  local stored = redis.call('HGET', changes_key, field)
  local entry = change
  if stored then
    local existing = cjson.decode(stored)
    local older, latest = existing, change
    if not newer then older, latest = change, existing end
    entry = { kind = latest.kind, id = latest.id, at = latest.at, etag = latest.etag, first = older.first or older.action }
    entry.action = net_action(entry.first, latest.action)
  else
    entry.first = entry.first or entry.action
  end
  redis.call('HSET', changes_key, field, cjson.encode(entry))
end
