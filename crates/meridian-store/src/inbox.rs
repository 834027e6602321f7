//! The inbox: threads this person follows that have news for them, across every channel.
//!
//! Following is explicit (`following`) or implicit (they started the thread or replied in it);
//! a muted thread never shows. News is a message by someone else after their read cursor, so
//! marking a thread read ("done") takes it out until the next reply.

use crate::reads::{THREAD_LIST, ThreadListRecord, UNREAD};
use crate::{LocalStore, Result, ThreadRow};
use meridian_domain::{ChannelId, UnixMillis};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Most threads the inbox lists.
const INBOX_LIMIT: u32 = 200;

/// Followed threads with news, newest activity first: threads not muted or snoozed past the
/// given time that this person follows by hand, started or wrote in, with unread messages.
pub(crate) static INBOX: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT * FROM ({}
           WHERE COALESCE(s.follow, 'none') != 'muted'
             AND NOT EXISTS (SELECT 1 FROM snoozes z WHERE z.thread_id = t.id AND z.until > ?)
             AND (COALESCE(s.follow, 'none') = 'following'
                  OR t.author_id = (SELECT value FROM meta WHERE key = 'user_id')
                  OR EXISTS (SELECT 1 FROM messages mine WHERE mine.thread_id = t.id
                               AND mine.author_id = (SELECT value FROM meta WHERE key = 'user_id'))))
         WHERE unread > 0 ORDER BY last_activity_at DESC LIMIT ?",
        *THREAD_LIST
    )
});

/// The first message after the thread's read cursor by someone else. The cursor is read first,
/// so the walk starts there: a thread read to its end costs one index seek, not a pass over it.
pub(crate) const FIRST_UNREAD: &str = "SELECT m.id FROM messages m
     WHERE m.thread_id = ?1
       AND m.server_seq > COALESCE((SELECT read_through_seq FROM thread_state WHERE thread_id = ?1), 0)
       AND m.author_id != COALESCE((SELECT value FROM meta WHERE key = 'user_id'), '')
     ORDER BY m.server_seq LIMIT 1";

/// Unread messages per channel, summed over its threads that are not muted (see [`UNREAD`]):
/// what this person has not read, never a pass over everything read.
pub(crate) static CHANNEL_UNREAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT t.channel_id, SUM({UNREAD}) AS unread
         FROM threads t LEFT JOIN thread_state s ON s.thread_id = t.id
         WHERE COALESCE(s.follow, 'none') != 'muted'
         GROUP BY t.channel_id HAVING unread > 0"
    )
});

impl LocalStore {
    /// Followed threads with unread replies, most recently active first, leaving out those
    /// snoozed past `now`.
    pub async fn inbox(&self, now: UnixMillis) -> Result<Vec<ThreadRow>> {
        let rows: Vec<ThreadListRecord> =
            sqlx::query_as(&INBOX).bind(now).bind(INBOX_LIMIT).fetch_all(&self.pool).await?;
        rows.into_iter().map(ThreadListRecord::into_row).collect()
    }

    /// Puts a thread out of the inbox until `until`.
    pub async fn snooze(&self, thread_id: meridian_domain::ThreadId, until: UnixMillis) -> Result<()> {
        sqlx::query(
            "INSERT INTO snoozes (thread_id, until) VALUES (?, ?)
             ON CONFLICT (thread_id) DO UPDATE SET until = excluded.until",
        )
        .bind(thread_id.to_string())
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The first message of a thread after this person's read cursor by someone else: where
    /// reading should resume.
    pub async fn first_unread(
        &self,
        thread_id: meridian_domain::ThreadId,
    ) -> Result<Option<meridian_domain::MessageId>> {
        let id: Option<String> =
            sqlx::query_scalar(FIRST_UNREAD).bind(thread_id.to_string()).fetch_optional(&self.pool).await?;
        id.map(|id| crate::rows::id(&id)).transpose()
    }

    /// Unread messages by others per channel, for channels that have any (muted threads left out).
    pub async fn channel_unread(&self) -> Result<HashMap<ChannelId, u64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(&CHANNEL_UNREAD).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(channel, count)| Ok((crate::rows::id(&channel)?, crate::rows::seq_from_sql(count))))
            .collect()
    }
}
