-- This person's read cursor and explicit follow state per thread, as their own scope carries
-- them. `read_through_seq` is the channel-scope seq of the last message read, and only grows.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE thread_state (
    thread_id        TEXT PRIMARY KEY,
    read_through_seq INTEGER NOT NULL DEFAULT 0,
    follow           TEXT NOT NULL DEFAULT 'none' CHECK (follow IN ('following', 'muted', 'none'))
);
