-- The message a held notice was raised by, so that clicking it when it comes out opens the thread
-- at that message. Empty for notices held before this column existed, which open the thread
-- where its reader left off, as they always did.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE held_notices ADD COLUMN message_id TEXT;
