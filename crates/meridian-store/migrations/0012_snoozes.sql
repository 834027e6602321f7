-- Inbox threads put away until a time; they come back then, or when new replies arrive after it.
-- Kept on this device only.
CREATE TABLE snoozes (
    thread_id TEXT PRIMARY KEY,
    until     INTEGER NOT NULL
);
