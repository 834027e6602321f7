-- When each thread was last written in, kept on the thread itself: its newest message, confirmed
-- (the last in server order) or still only on this device (the latest written); a thread without
-- messages, its own creation time. Worked out while reading, a channel's list had to work it out
-- for every thread of the channel before it could pick the first page: a cost that grew with the
-- channel, tens of milliseconds at a few thousand threads, and a list that could not be read page
-- by page from where the reader had got to. With the column and its index a page is a walk of the
-- index from a key.
--
-- NULL asks for the value to be worked out: one trigger does that, and the others set NULL on a
-- thread when it is written or one of its messages comes, goes, or changes its place (server_seq)
-- or time, so the rule is written once.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE threads ADD COLUMN last_activity_at INTEGER;

CREATE TRIGGER thread_activity_worked_out AFTER UPDATE OF last_activity_at ON threads
WHEN NEW.last_activity_at IS NULL
BEGIN
    UPDATE threads SET last_activity_at = COALESCE(
        (SELECT MAX(at) FROM (
            SELECT (SELECT MAX(m.created_at) FROM messages m
                    WHERE m.thread_id = NEW.id AND m.server_seq IS NULL) AS at
            UNION ALL
            SELECT (SELECT m.created_at FROM messages m
                    WHERE m.thread_id = NEW.id AND m.server_seq IS NOT NULL
                    ORDER BY m.server_seq DESC LIMIT 1))),
        NEW.created_at)
    WHERE id = NEW.id;
END;

UPDATE threads SET last_activity_at = NULL;

CREATE INDEX threads_by_activity ON threads (channel_id, last_activity_at DESC, id DESC);
DROP INDEX threads_by_channel;

CREATE TRIGGER thread_activity_on_thread AFTER INSERT ON threads
BEGIN
    UPDATE threads SET last_activity_at = NULL WHERE id = NEW.id;
END;

CREATE TRIGGER thread_activity_on_insert AFTER INSERT ON messages
BEGIN
    UPDATE threads SET last_activity_at = NULL WHERE id = NEW.thread_id;
END;

CREATE TRIGGER thread_activity_on_update AFTER UPDATE OF server_seq, created_at ON messages
WHEN OLD.server_seq IS NOT NEW.server_seq OR OLD.created_at != NEW.created_at
BEGIN
    UPDATE threads SET last_activity_at = NULL WHERE id = NEW.thread_id;
END;

CREATE TRIGGER thread_activity_on_delete AFTER DELETE ON messages
BEGIN
    UPDATE threads SET last_activity_at = NULL WHERE id = OLD.thread_id;
END;
