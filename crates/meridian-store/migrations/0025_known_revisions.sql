-- Texts a message had before an edit, as far as this device knows them: replaced here by the
-- reader's own edit, replaced by an edit that arrived by sync, or read from the team server's
-- history. The edit history is shown from here when the server cannot be reached.
-- A message that goes (deleted, or its channel no longer readable) takes its old texts with it.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE known_revisions (
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, replaced_at, body)
) WITHOUT ROWID;

CREATE TRIGGER known_revisions_go_with_their_message AFTER DELETE ON messages BEGIN
    DELETE FROM known_revisions WHERE message_id = old.id;
END;
