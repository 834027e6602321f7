-- The signed-in person's scheduled replies ("send at their 09:00"): what the server holds in their
-- own scope, and what this device has asked for and the server has not confirmed yet.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE scheduled (
    message_id  TEXT PRIMARY KEY NOT NULL,
    thread_id   TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    body        TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    urgent      INTEGER NOT NULL DEFAULT 0,
    deliver_at  INTEGER NOT NULL,
    -- 'scheduling' (queued here), 'pending' (held by the server), 'cancelling' (withdrawal
    -- queued here), 'sent', 'cancelled', 'failed' (refused or could not land; the text stays),
    -- 'dismissed' (a failed one the person put away).
    state       TEXT NOT NULL,
    -- Why it failed, as the person reads it.
    error       TEXT
);
CREATE INDEX scheduled_by_time ON scheduled (deliver_at);
