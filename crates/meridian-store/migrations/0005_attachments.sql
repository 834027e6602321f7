-- The files a message carries, as the JSON list the server sends (empty for most messages).
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
