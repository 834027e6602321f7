-- Who archived a channel and when, kept while it stays archived (both NULL otherwise, and on a
-- channel archived before this was recorded). Its log carries them in the channel's post-image.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE channels ADD COLUMN archived_by TEXT REFERENCES users (id);
ALTER TABLE channels ADD COLUMN archived_at INTEGER;
