-- Snapshots read each entity's latest change in a scope's log (sync.md §8.3).
-- Never edit this file once shipped: add a new migration instead.
CREATE INDEX change_log_by_entity_seq ON change_log (scope_id, entity_type, entity_id, seq);
