-- `edited`: the server has replaced the text since it was first written. A message being deleted
-- on this device has state 'deleting' until the server confirms; it is hidden meanwhile.
ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;

CREATE TABLE reactions (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    emoji      TEXT NOT NULL,
    present    INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
