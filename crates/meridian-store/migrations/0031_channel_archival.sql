-- Who archived a channel and when, as the channel's image from the server says: both NULL while
-- it is not archived, and on a channel archived before servers recorded it.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE channels ADD COLUMN archived_by TEXT;
ALTER TABLE channels ADD COLUMN archived_at INTEGER;
