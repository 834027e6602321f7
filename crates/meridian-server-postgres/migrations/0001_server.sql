-- The team server's schema on PostgreSQL; the same tables as the SQLite backend (sync.md
-- Appendix B). Ids are TEXT (UUIDs; scope ids as `kind:uuid`), instants BIGINT Unix milliseconds.
-- Never edit this file once shipped: add a new migration instead.

-- One server hosts one team. Instances starting together on an empty database may each try to
-- create it; `singleton` lets exactly one of them succeed.
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    singleton  BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    created_at    BIGINT NOT NULL
);

-- Only the hash of a session token is kept: a stolen database holds no usable session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- One row per scope. `head_seq` is bumped with UPDATE ... RETURNING inside each write
-- transaction; the row lock it takes is held until commit, so commit order equals seq order.
CREATE TABLE scopes (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('team', 'channel', 'user')),
    head_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE channels (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    name            TEXT NOT NULL,
    topic           TEXT NOT NULL,
    private         BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    last_change_seq BIGINT NOT NULL
);

-- Who may read a private channel. Public channels are readable by everyone in the team.
CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_by_user ON channel_members (user_id);

CREATE TABLE threads (
    id              TEXT PRIMARY KEY,
    channel_id      TEXT NOT NULL REFERENCES channels (id),
    title           TEXT NOT NULL,
    author_id       TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    order_seq       BIGINT NOT NULL,
    last_change_seq BIGINT NOT NULL
);
CREATE INDEX threads_by_channel ON threads (channel_id, order_seq);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    thread_id         TEXT NOT NULL REFERENCES threads (id),
    channel_id        TEXT NOT NULL REFERENCES channels (id),
    author_id         TEXT NOT NULL REFERENCES users (id),
    body              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    order_seq         BIGINT NOT NULL,
    last_change_seq   BIGINT NOT NULL,
    server_created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_thread ON messages (thread_id, order_seq);

-- Every committed change, with the full post-image of the entity (`data` is protocol::Entity).
CREATE TABLE change_log (
    scope_id    TEXT NOT NULL REFERENCES scopes (id),
    seq         BIGINT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL DEFAULT 'upsert' CHECK (op IN ('upsert', 'delete')),
    data        TEXT NOT NULL,
    actor_id    TEXT,
    server_ts   BIGINT NOT NULL,
    PRIMARY KEY (scope_id, seq)
);

-- One row per client installation, bound to one user forever; the exactly-once high-water mark.
-- Pushes lock this row (SELECT ... FOR UPDATE), which serializes one client's pushes across
-- every server instance.
CREATE TABLE clients (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id),
    last_mutation_seq BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL
);

-- How each mutation was settled, committed with its effects so a retry gets the same answer.
-- `mutation_id` is NULL only when the write was rejected because another write already holds
-- that id (a cloned outbox): the unique constraint must keep naming the first holder.
CREATE TABLE mutation_results (
    client_id    TEXT NOT NULL REFERENCES clients (id),
    mutation_seq BIGINT NOT NULL,
    mutation_id  TEXT UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    result       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (client_id, mutation_seq)
);
