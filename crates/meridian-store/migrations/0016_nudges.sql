-- "Nudge me at their end of day": a reminder for the author of a message, shown at the end of
-- the addressee's working day if the addressee has not written in the thread since. Local to
-- the device that set it, like notifications.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE nudges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id    TEXT NOT NULL,
    -- The message the reply is awaited to; only later messages by the addressee count.
    message_id   TEXT NOT NULL,
    addressee_id TEXT NOT NULL,
    due_at       INTEGER NOT NULL
);
CREATE INDEX nudges_due ON nudges (due_at);
