-- Search runs as the person types, so the last word of every query is a prefix. Without a prefix
-- index, FTS5 answers a prefix by merging the whole lists of every word it matches, so a few
-- letters of a common word took tens of milliseconds on a million messages. Prefix indexes keep
-- one list per prefix of two to six letters, read newest first like any word; longer prefixes
-- match few words. The index is rebuilt once, from the messages table.
-- Never edit this file once shipped: add a new migration instead.
DROP TRIGGER message_search_insert;
DROP TRIGGER message_search_delete;
DROP TRIGGER message_search_update;
DROP TABLE message_search;

CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    content = 'messages',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
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

INSERT INTO message_search (message_search) VALUES ('rebuild');
