-- A refused write the person has dealt with (sent again as a new write, or discarded). The entry
-- itself stays: its seq was used, and a reused seq would read as a retry to the server.
ALTER TABLE outbox ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
