-- The local copy of what this user may see, plus the outbox of writes not yet settled.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    role         TEXT NOT NULL
);

CREATE TABLE channels (
    id      TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    topic   TEXT NOT NULL,
    private INTEGER NOT NULL
);

CREATE TABLE threads (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    title      TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX threads_by_channel ON threads (channel_id);

-- `server_seq` is the channel scope's sequence of the confirmed row; NULL while the message is
-- only in the outbox. `state` is 'sent', 'pending' or 'rejected'.
CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    thread_id  TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    server_seq INTEGER,
    state      TEXT NOT NULL,
    error      TEXT
);
CREATE INDEX messages_by_thread ON messages (thread_id, server_seq);

CREATE TABLE cursors (
    scope TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
);

-- `seq` counts up from 1 without gaps and is never reused: settled rows stay as history.
-- `state` is 'queued', 'applied' or 'rejected'.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    mutation_id TEXT NOT NULL UNIQUE,
    op          TEXT NOT NULL,
    client_ts   INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_queued ON outbox (state, seq);
