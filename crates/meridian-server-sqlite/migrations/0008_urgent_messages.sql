-- Whether the author marked a message urgent. Kept on the row so an edit's post-image keeps it.
ALTER TABLE messages ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
