-- A person's weekly working hours as JSON (meridian_domain::WorkingHours); NULL when unset.
-- Never edit this file once shipped: add a new migration instead.
ALTER TABLE users ADD COLUMN working_hours TEXT;
