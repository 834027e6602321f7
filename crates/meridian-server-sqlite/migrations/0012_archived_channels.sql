-- An archived channel stays readable; new threads, replies, edits and reactions in it are
-- refused until it is unarchived. Its log carries the flag in the channel's post-image.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE channels ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
