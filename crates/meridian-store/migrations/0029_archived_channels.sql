-- An archived channel stays readable and searchable; nothing new is written in it.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE channels ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
