-- Holidays, time away and do-not-disturb as JSON (meridian_domain::TimeOff); NULL when none.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE users ADD COLUMN time_off TEXT;
