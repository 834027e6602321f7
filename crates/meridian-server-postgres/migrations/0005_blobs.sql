-- Uploaded files (sync.md §12). A blob is a manifest; its bytes are chunks keyed by hash within
-- the team, so a chunk two files share is stored once, and never across teams. Chunks live in the
-- database so they commit with the records that name them (see meridian_server_store::blobs).
CREATE TABLE blobs (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES teams (id),
    size       BIGINT NOT NULL,
    mime       TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    complete   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE blob_chunks (
    team_id TEXT NOT NULL REFERENCES teams (id),
    hash    TEXT NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (team_id, hash)
);

-- Who began and who completed uploading each blob: only they may attach it or read it unattached.
CREATE TABLE blob_uploads (
    blob_id      TEXT NOT NULL REFERENCES blobs (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    started_at   BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (blob_id, user_id)
);

-- The files of each message, in order; deleting the message deletes its rows here.
CREATE TABLE blob_refs (
    message_id TEXT NOT NULL REFERENCES messages (id),
    position   BIGINT NOT NULL,
    blob_id    TEXT NOT NULL REFERENCES blobs (id),
    name       TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX blob_refs_by_blob ON blob_refs (blob_id);
