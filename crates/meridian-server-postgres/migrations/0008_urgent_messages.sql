-- Whether the author marked a message urgent. Kept on the row so an edit's post-image keeps it.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE messages ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;
