-- Accounts and teams: session ids and activity, working hours, invites (as SQLite's
-- 0002_accounts.sql). Never edit this file once shipped: add a new migration instead.

-- Sessions get an id that can be shown and revoked without revealing the token hash. Sessions
-- from before this migration take theirs from their token hash, which is unique and random.
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
UPDATE sessions
SET id = substr(token_hash, 1, 8) || '-' || substr(token_hash, 9, 4) || '-' || substr(token_hash, 13, 4)
         || '-' || substr(token_hash, 17, 4) || '-' || substr(token_hash, 21, 12),
    last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);

-- A person's weekly working hours as JSON (meridian_domain::WorkingHours); NULL when unset.
ALTER TABLE users ADD COLUMN working_hours TEXT;

-- Only the hash of an invite token is kept, like session tokens.
CREATE TABLE invites (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    single_use BOOLEAN NOT NULL,
    uses       BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT
);
