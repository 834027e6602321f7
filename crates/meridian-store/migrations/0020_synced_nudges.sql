-- Nudges follow their author across devices: each is kept in the author's own scope on the
-- server (`message.nudge.v1`) and arrives here from there, one per awaited message. Each device
-- reminds once: `shown` marks what this device has taken, rather than dropping it, so the
-- server's copy arriving again (a later pull, a bootstrap) does not remind twice.
-- Nudges kept before this migration were never sent to the server and stay on this device.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE synced_nudges (
    -- The author's message awaiting the reply.
    message_id   TEXT PRIMARY KEY NOT NULL,
    thread_id    TEXT NOT NULL,
    addressee_id TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    shown        INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO synced_nudges (message_id, thread_id, addressee_id, due_at)
    SELECT message_id, thread_id, addressee_id, due_at FROM nudges ORDER BY id;
DROP TABLE nudges;
ALTER TABLE synced_nudges RENAME TO nudges;
CREATE INDEX nudges_waiting ON nudges (due_at) WHERE shown = 0;
