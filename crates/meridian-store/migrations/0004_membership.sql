-- Who is in each channel this device holds, as the channel's scope says.
CREATE TABLE channel_members (
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
) WITHOUT ROWID;

-- Set on a queued write whose conversation this device purged after losing access to it: the
-- server will refuse it, and the refusal is shown as `not_a_member`. The write's text stays in
-- `op` either way.
ALTER TABLE outbox ADD COLUMN refusal TEXT;

-- Direct conversations are channels with a fixed participant list.
ALTER TABLE channels ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
