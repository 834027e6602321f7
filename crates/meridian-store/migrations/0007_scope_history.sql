-- How much of each scope's older history this device holds (sync.md §8.4). `older_before` is the
-- order seq below which messages have not been loaded; NULL once the scope's start is held. A
-- scope without a row was replayed from its first change, so all of it is held.
-- Never edit this file once shipped: add a new migration instead.
CREATE TABLE scope_history (
    scope        TEXT PRIMARY KEY,
    older_before INTEGER
);
