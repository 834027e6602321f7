-- Who follows a thread by hand, as its channel tells everyone in it (`thread_follower`
-- entries): people a thread can be handed to at the end of the day. Muting is never shown here;
-- a muted thread reads as not followed. Follows set before this migration were never shared.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE thread_followers (
    thread_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;
