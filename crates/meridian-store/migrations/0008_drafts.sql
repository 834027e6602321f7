-- What the user was writing in each thread, kept across restarts until sent or cleared.
-- Drafts stay on this device; they are never synced.
CREATE TABLE drafts (
    thread_id  TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
