-- Edits keep the replaced text as revisions; deletes leave a tombstone row whose content is gone;
-- reactions are one register per (message, person, emoji). As SQLite's
-- 0003_edits_deletes_reactions.sql. Never edit this file once shipped: add a new migration instead.
ALTER TABLE messages ADD COLUMN deleted_at BIGINT;

CREATE TABLE message_revisions (
    message_id  TEXT NOT NULL REFERENCES messages (id),
    rev         BIGINT NOT NULL,
    body        TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, rev)
);

CREATE TABLE reactions (
    message_id      TEXT NOT NULL REFERENCES messages (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    emoji           TEXT NOT NULL,
    present         BOOLEAN NOT NULL,
    last_change_seq BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

-- Deleting a message rewrites its earlier log entries in its scope, found by entity id.
CREATE INDEX change_log_by_entity ON change_log (scope_id, entity_id text_pattern_ops);
