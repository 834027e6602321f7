-- Search finds a message by the names of its files too ("launch plan" finds launch plan.txt).
-- The names are a generated column the index reads beside the text. A generated column cannot run
-- a query over the files' JSON, so the names are read by position: a message holds at most ten
-- files (validate::MAX_ATTACHMENTS). The index is rebuilt once, from the messages table.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE messages ADD COLUMN file_names TEXT GENERATED ALWAYS AS (
    trim(
        coalesce(json_extract(attachments, '$[0].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[1].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[2].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[3].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[4].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[5].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[6].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[7].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[8].name'), '') || ' ' ||
        coalesce(json_extract(attachments, '$[9].name'), '')
    )
) VIRTUAL;

DROP TRIGGER message_search_insert;
DROP TRIGGER message_search_delete;
DROP TRIGGER message_search_update;
DROP TABLE message_search;

CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    file_names,
    content = 'messages',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);

CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, body, file_names) VALUES (new.rowid, new.body, new.file_names);
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body, file_names)
    VALUES ('delete', old.rowid, old.body, old.file_names);
END;

CREATE TRIGGER message_search_update AFTER UPDATE OF body, attachments ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body, file_names)
    VALUES ('delete', old.rowid, old.body, old.file_names);
    INSERT INTO message_search (rowid, body, file_names) VALUES (new.rowid, new.body, new.file_names);
END;

INSERT INTO message_search (message_search) VALUES ('rebuild');
