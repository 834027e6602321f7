-- Read cursors and follow states live only in each person's own scope log (the latest entry per
-- thread is the register), so finding the latest entry of one entity must not scan the scope.
-- Never edit this file once shipped: add a new migration instead.
CREATE INDEX change_log_latest_of_entity ON change_log (scope_id, entity_type, entity_id, seq);
