-- Replies kept for landing at a later time (meridian_domain::ScheduledMessage as JSON in `data`).
-- The change log of the author's own scope carries every state; this table is where the landing
-- task finds what is due.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE scheduled_messages (
    message_id TEXT PRIMARY KEY,
    author_id TEXT NOT NULL REFERENCES users (id),
    deliver_at INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX scheduled_messages_due ON scheduled_messages (deliver_at) WHERE pending = 1;
