-- Whether the author marked a message urgent (shown on the message; notified through off-hours).
ALTER TABLE messages ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
