-- known_revisions kept whole texts in its primary key, which a WITHOUT ROWID table stores in every
-- b-tree page it splits; texts run up to the message limit, so the table becomes an ordinary one,
-- looked up by message and time, with the same rule that a message's old texts go with it.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE known_revisions_new (
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    replaced_at INTEGER NOT NULL
);
INSERT INTO known_revisions_new (message_id, body, replaced_at)
    SELECT message_id, body, replaced_at FROM known_revisions;
DROP TRIGGER known_revisions_go_with_their_message;
DROP TABLE known_revisions;
ALTER TABLE known_revisions_new RENAME TO known_revisions;
CREATE INDEX known_revisions_by_message ON known_revisions (message_id, replaced_at);

CREATE TRIGGER known_revisions_go_with_their_message AFTER DELETE ON messages BEGIN
    DELETE FROM known_revisions WHERE message_id = old.id;
END;
