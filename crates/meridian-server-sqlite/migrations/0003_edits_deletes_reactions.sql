-- Edits keep the replaced text as revisions; deletes leave a tombstone row whose content is gone;
-- reactions are one register per (message, person, emoji).
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;

CREATE TABLE message_revisions (
    message_id TEXT NOT NULL REFERENCES messages (id),
    rev        INTEGER NOT NULL,
    body       TEXT NOT NULL,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, rev)
);

CREATE TABLE reactions (
    message_id      TEXT NOT NULL REFERENCES messages (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    emoji           TEXT NOT NULL,
    present         INTEGER NOT NULL,
    last_change_seq INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
