-- A thread's message count leaves out messages being deleted. Counting the thread's rows of
-- `messages_by_thread` reads the index alone; this small index finds the few being deleted, so
-- the count no longer visits every row of a long thread (about 200 ms for 100,000 replies).
CREATE INDEX messages_being_deleted ON messages (thread_id) WHERE state = 'deleting';
