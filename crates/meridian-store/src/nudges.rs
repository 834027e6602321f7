//! Reminders to follow up: "nudge me at their end of day" on a message awaiting someone's reply.
//! Taking the due ones out is one transaction, so a nudge is shown once or stays kept.

use crate::rows::id;
use crate::{LocalStore, Result};
use meridian_domain::{MessageId, ThreadId, UnixMillis, UserId};

/// A due nudge whose addressee has not written in the thread since the awaited message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueNudge {
    pub thread_id: ThreadId,
    pub message_id: MessageId,
    pub addressee_id: UserId,
}

impl LocalStore {
    /// Keeps a nudge about `message_id` in `thread_id`, due at `due_at`.
    pub async fn add_nudge(
        &self,
        thread_id: ThreadId,
        message_id: MessageId,
        addressee_id: UserId,
        due_at: UnixMillis,
    ) -> Result<()> {
        sqlx::query("INSERT INTO nudges (thread_id, message_id, addressee_id, due_at) VALUES (?, ?, ?, ?)")
            .bind(thread_id.to_string())
            .bind(message_id.to_string())
            .bind(addressee_id.to_string())
            .bind(due_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The earliest instant a kept nudge is due, if any is kept.
    pub async fn next_nudge(&self) -> Result<Option<UnixMillis>> {
        Ok(sqlx::query_scalar("SELECT MIN(due_at) FROM nudges").fetch_one(&self.pool).await?)
    }

    /// Removes every nudge due at `now` and returns those still unanswered: the addressee has
    /// written nothing in the thread after the awaited message (by arrival on this device).
    pub async fn take_due_nudges(&self, now: UnixMillis) -> Result<Vec<DueNudge>> {
        let mut tx = self.write().await?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT n.thread_id, n.message_id, n.addressee_id FROM nudges n
             WHERE n.due_at <= ?1 AND NOT EXISTS (
                 SELECT 1 FROM messages reply, messages awaited
                 WHERE awaited.id = n.message_id AND reply.thread_id = n.thread_id
                   AND reply.author_id = n.addressee_id AND reply.rowid > awaited.rowid)
             ORDER BY n.due_at, n.id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM nudges WHERE due_at <= ?").bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|(thread_id, message_id, addressee_id)| {
                Ok(DueNudge {
                    thread_id: id(&thread_id)?,
                    message_id: id(&message_id)?,
                    addressee_id: id(&addressee_id)?,
                })
            })
            .collect()
    }
}
