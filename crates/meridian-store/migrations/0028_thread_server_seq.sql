-- Where each thread starts in its channel's order: the seq of the change that created it on the
-- server, whose opening post follows at the next seq. With `scope_history.older_before` it tells
-- whether the start of a thread is held here, or still on the server. NULL while the thread is
-- only in the outbox; threads held before this column stay NULL, and count as held whole.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE threads ADD COLUMN server_seq INTEGER;
