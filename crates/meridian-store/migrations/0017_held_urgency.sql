-- Whether a held notice was about an urgent message: held only by do-not-disturb, it comes out
-- when do-not-disturb ends rather than at the start of the next working time.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE held_notices ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
