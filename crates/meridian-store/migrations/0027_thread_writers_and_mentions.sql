-- Who wrote in a thread and who is mentioned in it are asked whenever a thread opens, a reply is
-- composed or a reply arrives. Read from the messages themselves, that cost a pass over every
-- message of the thread: tens of milliseconds for a long one. These two indexes let each answer
-- read only what it returns: a few entries per writer (skipped to, writer by writer, with their
-- first message), and only the messages that mention someone.
-- Never edit this file once shipped: add a new migration instead.
CREATE INDEX messages_by_thread_author ON messages (thread_id, author_id, server_seq);
CREATE INDEX messages_mentioning ON messages (thread_id) WHERE instr(body, '<@') > 0;
