-- A thread being started in a channel, not posted yet: its title and first post, kept as they are
-- typed so they survive leaving the form and restarts. Posting removes it in the same transaction
-- as the outbox write.
CREATE TABLE new_thread_drafts (
    channel_id TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
