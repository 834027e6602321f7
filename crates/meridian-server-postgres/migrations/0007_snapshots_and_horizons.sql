-- Snapshots read each entity's latest change in a scope's log (sync.md §8.3), and a scope's log
-- may be cut below a horizon (sync.md §8.5).
-- Never edit this file once shipped: add a new migration instead.
CREATE INDEX change_log_by_entity_seq ON change_log (scope_id, entity_type, entity_id, seq);

-- The log of a scope holds every change after `horizon_seq`; earlier ones may have been compacted
-- away, so a device whose cursor is below it must reset the scope and bootstrap it again.
ALTER TABLE scopes ADD COLUMN horizon_seq BIGINT NOT NULL DEFAULT 0;
