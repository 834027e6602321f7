//! Who takes part in a thread: the people who wrote in it and the people mentioned in it. They
//! follow it unless they said otherwise, and a reply concerns them.
//!
//! Each read walks an index to what it returns (`messages_by_thread_author`, writer by writer;
//! `messages_mentioning`, which holds only messages that mention someone), never every message
//! of the thread, so a thread of 100,000 replies answers as fast as one of ten.

use crate::rows::id;
use crate::{LocalStore, Result, StoreError};
use meridian_domain::mentions::{mention_token, mentioned_users};
use meridian_domain::{MessageId, ThreadId, UserId};

/// A thread's writers in the order they first wrote (those with only messages not yet confirmed
/// last), a few index seeks each: the least writer, then the least one after it. (Every id sorts
/// after `''`; saying so lets the first seek read as one.)
pub(crate) const WRITERS: &str = "WITH RECURSIVE writer(author_id) AS (
        SELECT MIN(author_id) FROM messages WHERE thread_id = ?1 AND author_id > ''
        UNION ALL
        SELECT (SELECT MIN(author_id) FROM messages WHERE thread_id = ?1 AND author_id > writer.author_id)
        FROM writer WHERE writer.author_id IS NOT NULL)
    SELECT author_id FROM writer WHERE author_id IS NOT NULL
    ORDER BY COALESCE(
        (SELECT MIN(server_seq) FROM messages WHERE thread_id = ?1 AND author_id = writer.author_id),
        9223372036854775807)";

/// The messages that mention someone, oldest first. The `instr(body, '<@') > 0` term is the
/// condition of the `messages_mentioning` index, written the same way so SQLite uses it.
pub(crate) const MENTIONING: &str = "SELECT body FROM messages WHERE thread_id = ? AND instr(body, '<@') > 0
    ORDER BY server_seq IS NULL, server_seq, created_at";

/// Whether a person wrote a message or is mentioned in one, leaving some messages out.
pub(crate) const TAKES_PART: &str = "SELECT EXISTS (
        SELECT 1 FROM messages WHERE thread_id = ?1 AND author_id = ?2
          AND id NOT IN (SELECT value FROM json_each(?4)))
    OR EXISTS (
        SELECT 1 FROM messages WHERE thread_id = ?1 AND instr(body, '<@') > 0 AND instr(body, ?3) > 0
          AND id NOT IN (SELECT value FROM json_each(?4)))";

impl LocalStore {
    /// Everyone who wrote in a thread, the people who follow it by replying, in the order they
    /// first wrote.
    pub async fn thread_authors(&self, thread_id: ThreadId) -> Result<Vec<UserId>> {
        let rows: Vec<String> =
            sqlx::query_scalar(WRITERS).bind(thread_id.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(|author| id(author)).collect()
    }

    /// People @mentioned in a thread's messages, in the order they were first mentioned: they
    /// follow it as its writers do.
    pub async fn thread_mentions(&self, thread_id: ThreadId) -> Result<Vec<UserId>> {
        let bodies: Vec<String> =
            sqlx::query_scalar(MENTIONING).bind(thread_id.to_string()).fetch_all(&self.pool).await?;
        let mut people = Vec::new();
        for user in bodies.iter().flat_map(|body| mentioned_users(body)) {
            if !people.contains(&user) {
                people.push(user);
            }
        }
        Ok(people)
    }

    /// Whether `user` wrote in a thread or is mentioned in it, leaving out the messages `except`
    /// (those just received, whose own order decides): what makes them follow it unless they said
    /// otherwise.
    pub async fn takes_part_in(
        &self,
        thread_id: ThreadId,
        user: UserId,
        except: &[MessageId],
    ) -> Result<bool> {
        let except = serde_json::to_string(&except.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        Ok(sqlx::query_scalar(TAKES_PART)
            .bind(thread_id.to_string())
            .bind(user.to_string())
            .bind(mention_token(user))
            .bind(except)
            .fetch_one(&self.pool)
            .await?)
    }
}
