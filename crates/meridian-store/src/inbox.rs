//! The inbox: threads this person follows that have news for them, across every channel.
//!
//! Following is explicit (`following`) or implicit (they started the thread or replied in it);
//! a muted thread never shows. News is a message by someone else after their read cursor, so
//! marking a thread read ("done") takes it out until the next reply.

use crate::reads::{THREAD_LIST, ThreadListRecord};
use crate::{LocalStore, Result, ThreadRow};
use meridian_domain::{ChannelId, UnixMillis};
use std::collections::HashMap;

/// Most threads the inbox lists.
const INBOX_LIMIT: u32 = 200;

impl LocalStore {
    /// Followed threads with unread replies, most recently active first, leaving out those
    /// snoozed past `now`.
    pub async fn inbox(&self, now: UnixMillis) -> Result<Vec<ThreadRow>> {
        let sql = format!(
            "SELECT * FROM ({THREAD_LIST}
               WHERE COALESCE(s.follow, 'none') != 'muted'
                 AND NOT EXISTS (SELECT 1 FROM snoozes z WHERE z.thread_id = t.id AND z.until > ?)
                 AND (COALESCE(s.follow, 'none') = 'following'
                      OR t.author_id = (SELECT value FROM meta WHERE key = 'user_id')
                      OR EXISTS (SELECT 1 FROM messages mine WHERE mine.thread_id = t.id
                                   AND mine.author_id = (SELECT value FROM meta WHERE key = 'user_id'))))
             WHERE unread > 0 ORDER BY last_activity_at DESC LIMIT ?"
        );
        let rows: Vec<ThreadListRecord> =
            sqlx::query_as(&sql).bind(now).bind(INBOX_LIMIT).fetch_all(&self.pool).await?;
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
        let id: Option<String> = sqlx::query_scalar(
            "SELECT m.id FROM messages m LEFT JOIN thread_state s ON s.thread_id = m.thread_id
             WHERE m.thread_id = ? AND m.server_seq > COALESCE(s.read_through_seq, 0)
               AND m.author_id != COALESCE((SELECT value FROM meta WHERE key = 'user_id'), '')
             ORDER BY m.server_seq LIMIT 1",
        )
        .bind(thread_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        id.map(|id| crate::rows::id(&id)).transpose()
    }

    /// Unread messages by others per channel, for channels that have any (muted threads left out).
    pub async fn channel_unread(&self) -> Result<HashMap<ChannelId, u64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT m.channel_id, COUNT(*) FROM messages m
             LEFT JOIN thread_state s ON s.thread_id = m.thread_id
             WHERE m.server_seq > COALESCE(s.read_through_seq, 0)
               AND COALESCE(s.follow, 'none') != 'muted'
               AND m.author_id != COALESCE((SELECT value FROM meta WHERE key = 'user_id'), '')
             GROUP BY m.channel_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(channel, count)| Ok((crate::rows::id(&channel)?, crate::rows::seq_from_sql(count))))
            .collect()
    }
}
