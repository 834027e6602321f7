-- Public channels used to be listed in the team scope, which guests read too. Each public
-- channel's own scope opens with its name and topic, so the team scope's copies are replaced by
-- the team's own post-image: the log keeps every seq (no gaps for devices mid-sync) and no longer
-- names any channel. Devices that held the copies keep them until they next bootstrap; new
-- readers of the team scope, guests among them, never see a channel there.
UPDATE change_log
SET entity_type = 'team',
    entity_id = (SELECT id FROM teams LIMIT 1),
    data = (SELECT json_build_object('entity', 'team', 'data', json_build_object('id', id, 'name', name))::text
            FROM teams LIMIT 1)
WHERE scope_id LIKE 'team:%' AND entity_type = 'channel';

-- Direct conversations: private channels whose participant list is fixed at creation.
ALTER TABLE channels ADD COLUMN direct BOOLEAN NOT NULL DEFAULT FALSE;
