//! What the person sees of the outbox, and what they may do about it: every write still waiting
//! and every refused write they have not dealt with, each of which they may send again or
//! discard. Nothing leaves the outbox silently.

use crate::export::OutboxState;
use crate::outbox::{enqueue, stored_op};
use crate::rows::{seq_from_sql, seq_to_sql};
use crate::{LocalStore, OutboxEntry, Result, StoreError};
use meridian_domain::{ChannelId, ScopeId, ThreadId, UnixMillis};
use meridian_protocol::MutationOp;

impl LocalStore {
    /// Writes waiting to be sent, then refused writes not yet sent again or discarded, in order.
    pub async fn outbox_to_review(&self) -> Result<Vec<OutboxEntry>> {
        let resolved: Vec<i64> =
            sqlx::query_scalar("SELECT seq FROM outbox WHERE resolved = 1").fetch_all(&self.pool).await?;
        let mut entries = self.outbox(Some(OutboxState::Queued)).await?;
        // A write taken back waits only to tell the server so; there is nothing left to do about it.
        entries.retain(|entry| entry.mutation.op != MutationOp::Withdrawn {});
        entries.extend(
            self.outbox(Some(OutboxState::Rejected))
                .await?
                .into_iter()
                .filter(|entry| !resolved.contains(&seq_to_sql(entry.mutation.seq))),
        );
        Ok(entries)
    }

    /// Sends a refused write again as a new write (a new seq and id), showing its text as pending
    /// once more.
    pub async fn retry_refused(&self, seq: u64, now: UnixMillis) -> Result<()> {
        let mut tx = self.write().await?;
        let op = refused_op(&mut tx, seq).await?;
        enqueue(&mut tx, &op, now).await?;
        mark_resolved(&mut tx, seq).await?;
        crate::scheduled::retried(&mut tx, &op).await?;
        crate::membership::retried(&mut tx, &op).await?;
        // A channel created again takes the people added with it along.
        if let MutationOp::CreateChannel { channel_id, .. } = &op {
            for (added_seq, added) in refused_additions(&mut tx, *channel_id).await? {
                enqueue(&mut tx, &added, now).await?;
                mark_resolved(&mut tx, added_seq).await?;
                crate::membership::retried(&mut tx, &added).await?;
            }
        }
        let (from, to) = match op {
            MutationOp::CreateThread { .. } | MutationOp::CreateMessage { .. } => ("rejected", "pending"),
            MutationOp::EditMessage { .. } => ("rejected", "editing"),
            _ => ("", ""),
        };
        if let Some(message) = op.message_id().filter(|_| !from.is_empty()) {
            sqlx::query("UPDATE messages SET state = ?, error = NULL WHERE id = ? AND state = ?")
                .bind(to)
                .bind(message.to_string())
                .bind(from)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Gives up a refused write: a refused new message (or thread) is removed from this device.
    pub async fn discard_refused(&self, seq: u64) -> Result<()> {
        let mut tx = self.write().await?;
        let op = refused_op(&mut tx, seq).await?;
        mark_resolved(&mut tx, seq).await?;
        crate::scheduled::discarded(&mut tx, &op).await?;
        match &op {
            MutationOp::CreateThread { thread_id, message_id, channel_id, .. } => {
                sqlx::query("DELETE FROM messages WHERE id = ? AND state = 'rejected'")
                    .bind(message_id.to_string())
                    .execute(&mut *tx)
                    .await?;
                drop_thread_if_empty(&mut tx, *thread_id).await?;
                drop_abandoned_channel(&mut tx, *channel_id).await?;
            }
            MutationOp::CreateMessage { message_id, .. } => {
                sqlx::query("DELETE FROM messages WHERE id = ? AND state = 'rejected'")
                    .bind(message_id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            // Given up, the channel takes the refused additions of people to it along: each was
            // refused only because the channel was.
            MutationOp::CreateChannel { channel_id, .. } => {
                for (added_seq, _) in refused_additions(&mut tx, *channel_id).await? {
                    mark_resolved(&mut tx, added_seq).await?;
                }
                drop_abandoned_channel(&mut tx, *channel_id).await?
            }
            // The server's text stands; it shows again as sent.
            MutationOp::EditMessage { message_id, .. } => {
                sqlx::query(
                    "UPDATE messages SET state = 'sent', error = NULL WHERE id = ? AND state = 'rejected'",
                )
                .bind(message_id.to_string())
                .execute(&mut *tx)
                .await?;
                // The edit never happened: the text it was to replace is not history.
                sqlx::query(
                    "DELETE FROM known_revisions WHERE message_id = ?
                     AND replaced_at >= (SELECT client_ts FROM outbox WHERE seq = ?)",
                )
                .bind(message_id.to_string())
                .bind(seq_to_sql(seq))
                .execute(&mut *tx)
                .await?;
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(())
    }
}

impl LocalStore {
    /// Takes back a reply or a new thread still waiting to be sent: it leaves this device at once,
    /// and its place in the outbox is kept by a withdrawal ([`MutationOp::Withdrawn`]), so the
    /// writes after it keep their numbers. Writes queued after it about it (an edit, a reaction, a
    /// reply in the new thread) are refused by the server and kept for the person, as any refused
    /// write is. One the server had already taken, its answer lost, stands: it comes back by pull.
    pub async fn withdraw_waiting(&self, seq: u64) -> Result<()> {
        let mut tx = self.write().await?;
        let op: Option<String> =
            sqlx::query_scalar("SELECT op FROM outbox WHERE seq = ? AND state = 'queued'")
                .bind(seq_to_sql(seq))
                .fetch_optional(&mut *tx)
                .await?;
        let op = stored_op(seq, &op.ok_or(StoreError::NotFound("waiting write"))?)?;
        if !may_be_withdrawn(&op) {
            return Err(StoreError::NotFound("waiting reply or new thread"));
        }
        let message_id = op.message_id().ok_or(StoreError::NotFound("waiting reply"))?;
        let new_thread = match op {
            MutationOp::CreateThread { thread_id, .. } => Some(thread_id),
            _ => None,
        };
        sqlx::query("DELETE FROM messages WHERE id = ? AND state = 'pending'")
            .bind(message_id.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(thread_id) = new_thread {
            drop_thread_if_empty(&mut tx, thread_id).await?;
        }
        let withdrawn = serde_json::to_string(&MutationOp::Withdrawn {})
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query("UPDATE outbox SET op = ? WHERE seq = ?")
            .bind(withdrawn)
            .bind(seq_to_sql(seq))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether a waiting write may be taken back ([`LocalStore::withdraw_waiting`]): a reply or a new
/// thread, whose taking back leaves nothing behind but its own text.
pub fn may_be_withdrawn(op: &MutationOp) -> bool {
    matches!(op, MutationOp::CreateMessage { .. } | MutationOp::CreateThread { .. })
}

/// Removes a thread started here once its opening post is gone, unless replies came meanwhile.
async fn drop_thread_if_empty(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    thread_id: ThreadId,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM threads WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM messages WHERE thread_id = ?1)",
    )
    .bind(thread_id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a channel this device created and the server refused, once its creation was given up
/// and nothing started in it is left to deal with; its new-thread draft goes with it. A channel
/// the server holds (it has a cursor) is never touched.
async fn drop_abandoned_channel(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    channel: ChannelId,
) -> Result<()> {
    let abandoned: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM channels c
         WHERE c.id = ?1 AND c.direct = 0
           AND NOT EXISTS (SELECT 1 FROM cursors WHERE scope = ?2)
           AND NOT EXISTS (SELECT 1 FROM threads WHERE channel_id = ?1)
           AND EXISTS (SELECT 1 FROM outbox WHERE state = 'rejected' AND resolved = 1
                       AND json_extract(op, '$.name') = 'channel.create.v1'
                       AND json_extract(op, '$.args.channel_id') = ?1)",
    )
    .bind(channel.to_string())
    .bind(ScopeId::Channel(channel).to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if abandoned.is_some() {
        for statement in [
            "DELETE FROM channels WHERE id = ?",
            "DELETE FROM channel_members WHERE channel_id = ?",
            "DELETE FROM new_thread_drafts WHERE channel_id = ?",
        ] {
            sqlx::query(statement).bind(channel.to_string()).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// The refused, unresolved additions of people to `channel`, in the order they were made.
async fn refused_additions(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    channel: ChannelId,
) -> Result<Vec<(u64, MutationOp)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, op FROM outbox WHERE state = 'rejected' AND resolved = 0
           AND json_extract(op, '$.name') = 'channel.member.add.v1'
           AND json_extract(op, '$.args.channel_id') = ? ORDER BY seq",
    )
    .bind(channel.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter().map(|(seq, op)| Ok((seq_from_sql(seq), stored_op(seq, &op)?))).collect()
}

/// The write a refused, unresolved outbox entry holds.
async fn refused_op(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, seq: u64) -> Result<MutationOp> {
    let op: Option<String> =
        sqlx::query_scalar("SELECT op FROM outbox WHERE seq = ? AND state = 'rejected' AND resolved = 0")
            .bind(seq_to_sql(seq))
            .fetch_optional(&mut **tx)
            .await?;
    let op = op.ok_or(StoreError::NotFound("refused write"))?;
    stored_op(seq, &op)
}

pub(crate) async fn mark_resolved(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, seq: u64) -> Result<()> {
    sqlx::query("UPDATE outbox SET resolved = 1 WHERE seq = ?")
        .bind(seq_to_sql(seq))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
