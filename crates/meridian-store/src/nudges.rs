//! Reminders to follow up: "nudge me at their end of day" on a message awaiting someone's reply.
//!
//! A nudge is set on one device and kept in the person's own scope on the server, so every one of
//! their devices holds it. Each device reminds once: taking the due ones marks them shown in one
//! transaction, so a nudge is shown once here or stays kept, and the server's copy arriving again
//! does not bring it back.

use crate::outbox::enqueue;
use crate::rows::id;
use crate::{LocalStore, Result};
use meridian_domain::{MessageId, Nudge, ThreadId, UnixMillis, UserId, nudge};
use meridian_protocol::MutationOp;
use sqlx::{Sqlite, Transaction};

/// A due nudge whose addressee has not written in the thread since the awaited message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueNudge {
    pub thread_id: ThreadId,
    pub message_id: MessageId,
    pub addressee_id: UserId,
}

impl LocalStore {
    /// Keeps a nudge about `message_id` in `thread_id`, due at `due_at`, and queues it for the
    /// person's other devices, in one transaction.
    pub async fn add_nudge(
        &self,
        thread_id: ThreadId,
        message_id: MessageId,
        addressee_id: UserId,
        due_at: UnixMillis,
        now: UnixMillis,
    ) -> Result<()> {
        let due_at = nudge::due_at(due_at, now)?;
        let mut tx = self.write().await?;
        keep(&mut tx, thread_id, message_id, addressee_id, due_at).await?;
        enqueue(&mut tx, &MutationOp::SetNudge { message_id, addressee_id, due_at }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The earliest instant a nudge not yet shown here is due, if any is kept.
    pub async fn next_nudge(&self) -> Result<Option<UnixMillis>> {
        Ok(sqlx::query_scalar("SELECT MIN(due_at) FROM nudges WHERE shown = 0").fetch_one(&self.pool).await?)
    }

    /// Marks every nudge due at `now` shown and returns those to remind of: still unanswered (the
    /// addressee has written nothing in the thread after the awaited message, by arrival on this
    /// device) and not so late that the reminder lost its point (see [`nudge::shown_at`]).
    pub async fn take_due_nudges(&self, now: UnixMillis) -> Result<Vec<DueNudge>> {
        let mut tx = self.write().await?;
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT n.thread_id, n.message_id, n.addressee_id, n.due_at FROM nudges n
             WHERE n.shown = 0 AND n.due_at <= ?1 AND NOT EXISTS (
                 SELECT 1 FROM messages reply, messages awaited
                 WHERE awaited.id = n.message_id AND reply.thread_id = n.thread_id
                   AND reply.author_id = n.addressee_id AND reply.rowid > awaited.rowid)
             ORDER BY n.due_at, n.message_id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("UPDATE nudges SET shown = 1 WHERE shown = 0 AND due_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .filter(|(.., due_at)| nudge::shown_at(*due_at, now))
            .map(|(thread_id, message_id, addressee_id, _)| {
                Ok(DueNudge {
                    thread_id: id(&thread_id)?,
                    message_id: id(&message_id)?,
                    addressee_id: id(&addressee_id)?,
                })
            })
            .collect()
    }
}

/// Takes a nudge from the person's own scope, set on this device or another. Set again for
/// another time, it is to be shown again; otherwise whether it was shown here stays.
pub(crate) async fn apply(tx: &mut Transaction<'_, Sqlite>, nudge: &Nudge) -> Result<()> {
    keep(tx, nudge.thread_id, nudge.message_id, nudge.addressee_id, nudge.due_at).await
}

async fn keep(
    tx: &mut Transaction<'_, Sqlite>,
    thread_id: ThreadId,
    message_id: MessageId,
    addressee_id: UserId,
    due_at: UnixMillis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO nudges (message_id, thread_id, addressee_id, due_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET
             thread_id = excluded.thread_id, addressee_id = excluded.addressee_id, due_at = excluded.due_at,
             shown = CASE WHEN nudges.due_at = excluded.due_at THEN nudges.shown ELSE 0 END",
    )
    .bind(message_id.to_string())
    .bind(thread_id.to_string())
    .bind(addressee_id.to_string())
    .bind(due_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
