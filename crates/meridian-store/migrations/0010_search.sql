-- Offline full-text search. The indexes read their text from the tables they index (external
-- content), and triggers keep them in step with every write, whichever code path makes it: sync,
-- the outbox, deletes and purges all update the index in the same transaction.
CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    content = 'messages',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body) VALUES ('delete', old.rowid, old.body);
END;

CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE VIRTUAL TABLE thread_search USING fts5(
    title,
    content = 'threads',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER thread_search_insert AFTER INSERT ON threads BEGIN
    INSERT INTO thread_search (rowid, title) VALUES (new.rowid, new.title);
END;

CREATE TRIGGER thread_search_delete AFTER DELETE ON threads BEGIN
    INSERT INTO thread_search (thread_search, rowid, title) VALUES ('delete', old.rowid, old.title);
END;

CREATE TRIGGER thread_search_update AFTER UPDATE OF title ON threads BEGIN
    INSERT INTO thread_search (thread_search, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO thread_search (rowid, title) VALUES (new.rowid, new.title);
END;

-- Rows synced before this migration.
INSERT INTO message_search (message_search) VALUES ('rebuild');
INSERT INTO thread_search (thread_search) VALUES ('rebuild');

-- Filters by author and channel walk these instead of the whole table.
CREATE INDEX messages_by_author ON messages (author_id);
CREATE INDEX messages_by_channel ON messages (channel_id);
