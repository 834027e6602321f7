-- Notifications held back because the person was not working, kept across restarts until their
-- working time starts. Local to this device, like the notifications themselves.
CREATE TABLE held_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    thread_title TEXT NOT NULL,
    author       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    held_at      INTEGER NOT NULL,
    release_at   INTEGER NOT NULL
);
CREATE INDEX held_notices_release ON held_notices (release_at);
