//! Local writes and the durable outbox.
//!
//! Each write inserts its optimistic row and its outbox entry in one transaction. Entries leave the
//! queue only when the server has settled them (applied, or rejected with the text kept here).

use crate::rows::{id, seq_from_sql, seq_to_sql};
use crate::{DeliveryState, LocalStore, Result, StoreError};
use meridian_domain::{
    Attachment, ChannelId, Message, MessageId, MutationId, Reaction, ScopeId, Thread, ThreadId, UnixMillis,
    UserId, validate,
};
use meridian_protocol::{Mutation, MutationOp, MutationResult, MutationStatus};
use sqlx::{Sqlite, Transaction};

/// What a reply may carry besides its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplyOptions {
    /// Files whose uploads are complete on the server.
    pub attachments: Vec<Attachment>,
    /// Notify the recipients now, through their off-hours.
    pub urgent: bool,
}

impl LocalStore {
    /// Writes a reply locally and queues it for the server, atomically.
    pub async fn post_reply(
        &self,
        author: UserId,
        thread_id: ThreadId,
        body: &str,
        now: UnixMillis,
    ) -> Result<Message> {
        self.post_reply_with_attachments(author, thread_id, body, Vec::new(), now).await
    }

    /// Like [`LocalStore::post_reply`], with files whose uploads are complete on the server.
    pub async fn post_reply_with_attachments(
        &self,
        author: UserId,
        thread_id: ThreadId,
        body: &str,
        attachments: Vec<Attachment>,
        now: UnixMillis,
    ) -> Result<Message> {
        self.post_reply_with(
            author,
            thread_id,
            body,
            ReplyOptions { attachments, ..ReplyOptions::default() },
            now,
        )
        .await
    }

    /// Like [`LocalStore::post_reply`], with what [`ReplyOptions`] can add.
    pub async fn post_reply_with(
        &self,
        author: UserId,
        thread_id: ThreadId,
        body: &str,
        options: ReplyOptions,
        now: UnixMillis,
    ) -> Result<Message> {
        let ReplyOptions { attachments, urgent } = options;
        let body = checked_reply(body, &attachments)?;
        let mut tx = self.write().await?;
        let channel_id = thread_channel(&mut tx, thread_id).await?;
        let message = Message {
            id: MessageId::new(),
            thread_id,
            channel_id,
            author_id: author,
            body,
            created_at: now,
            attachments,
            urgent,
        };
        let op = insert_pending_reply(&mut tx, &message).await?;
        enqueue_replacing_draft(&mut tx, &op, thread_id, now).await?;
        tx.commit().await?;
        Ok(message)
    }

    /// Starts a thread locally (title and opening post) and queues it, atomically.
    pub async fn start_thread(
        &self,
        author: UserId,
        channel_id: ChannelId,
        title: &str,
        body: &str,
        now: UnixMillis,
    ) -> Result<(Thread, Message)> {
        let title = validate::thread_title(title)?;
        let body = validate::message_body(body)?;
        let thread = Thread { id: ThreadId::new(), channel_id, title, author_id: author, created_at: now };
        let message = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            channel_id,
            author_id: author,
            body,
            created_at: now,
            attachments: Vec::new(),
            urgent: false,
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO threads (id, channel_id, title, author_id, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(thread.id.to_string())
        .bind(channel_id.to_string())
        .bind(&thread.title)
        .bind(author.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_pending_message(&mut tx, &message).await?;
        let op = MutationOp::CreateThread {
            thread_id: thread.id,
            channel_id,
            title: thread.title.clone(),
            message_id: message.id,
            body: message.body.clone(),
            attachments: Vec::new(),
            urgent: false,
        };
        enqueue(&mut tx, &op, now).await?;
        // The draft of the thread being started becomes the queued write.
        sqlx::query("DELETE FROM new_thread_drafts WHERE channel_id = ?")
            .bind(channel_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((thread, message))
    }

    /// Replaces the text of one of `author`'s messages locally and queues the edit.
    pub async fn edit_message(
        &self,
        author: UserId,
        message_id: MessageId,
        body: &str,
        now: UnixMillis,
    ) -> Result<()> {
        let body = validate::message_body(body)?;
        let mut tx = self.write().await?;
        // A text others have seen is part of the message's history from now on.
        let seen: Option<String> = sqlx::query_scalar(
            "SELECT body FROM messages WHERE id = ? AND author_id = ? AND state IN ('sent', 'editing')",
        )
        .bind(message_id.to_string())
        .bind(author.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(previous) = seen.filter(|previous| *previous != body) {
            crate::history::keep_replaced(&mut tx, message_id, &previous, now).await?;
        }
        let changed = sqlx::query(
            "UPDATE messages SET body = ?, edited = 1,
                 state = CASE WHEN state = 'sent' THEN 'editing' ELSE state END
             WHERE id = ? AND author_id = ? AND state IN ('sent', 'pending', 'editing')",
        )
        .bind(&body)
        .bind(message_id.to_string())
        .bind(author.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound("message"));
        }
        enqueue(&mut tx, &MutationOp::EditMessage { message_id, body }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hides a message at once and queues its deletion; the server's tombstone removes it.
    pub async fn delete_message(&self, message_id: MessageId, now: UnixMillis) -> Result<()> {
        let mut tx = self.write().await?;
        let changed =
            sqlx::query("UPDATE messages SET state = 'deleting' WHERE id = ? AND state != 'deleting'")
                .bind(message_id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound("message"));
        }
        enqueue(&mut tx, &MutationOp::DeleteMessage { message_id }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds or removes `user`'s reaction locally and queues it.
    pub async fn set_reaction(
        &self,
        user: UserId,
        message_id: MessageId,
        emoji: &str,
        present: bool,
        now: UnixMillis,
    ) -> Result<()> {
        let emoji = validate::reaction_emoji(emoji)?;
        let mut tx = self.write().await?;
        let reaction = Reaction { message_id, user_id: user, emoji: emoji.clone(), present };
        crate::apply::upsert_reaction(&mut tx, &reaction).await?;
        enqueue(&mut tx, &MutationOp::SetReaction { message_id, emoji, present }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The oldest queued mutations, in the order they were written.
    pub async fn queued_mutations(&self, limit: u32) -> Result<Vec<Mutation>> {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT seq, mutation_id, op, client_ts FROM outbox WHERE state = 'queued' ORDER BY seq LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, mutation_id, op, client_ts)| {
                Ok(Mutation {
                    seq: seq_from_sql(seq),
                    id: id(&mutation_id)?,
                    op: stored_op(seq, &op)?,
                    client_ts,
                })
            })
            .collect()
    }

    /// How many writes are still waiting for the server.
    pub async fn queued_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'queued'")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq_from_sql(count))
    }

    /// Records the server's verdicts. Applied entries leave the queue (their rows turn 'sent' when
    /// the pull brings the confirmed copy); rejected ones keep their text and the reason.
    pub async fn settle(&self, results: &[MutationResult]) -> Result<()> {
        let mut tx = self.write().await?;
        for result in results {
            let seq = seq_to_sql(result.seq);
            match &result.status {
                MutationStatus::Applied | MutationStatus::Duplicate => {
                    sqlx::query("UPDATE outbox SET state = 'applied' WHERE seq = ? AND state = 'queued'")
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                    match queued_op(&mut tx, seq).await? {
                        Some(MutationOp::EditMessage { message_id, .. }) => {
                            sqlx::query(
                                "UPDATE messages SET state = 'sent' WHERE id = ? AND state = 'editing'",
                            )
                            .bind(message_id.to_string())
                            .execute(&mut *tx)
                            .await?;
                        }
                        Some(op) => crate::scheduled::accepted(&mut tx, &op).await?,
                        None => {}
                    }
                }
                MutationStatus::Rejected { code, message } => {
                    let refusal: Option<String> =
                        sqlx::query_scalar("SELECT refusal FROM outbox WHERE seq = ?")
                            .bind(seq)
                            .fetch_optional(&mut *tx)
                            .await?
                            .flatten();
                    // Refused because this device already knows the conversation is lost: its
                    // member list went with it.
                    let access_lost = refusal.is_some();
                    let reason = match refusal {
                        Some(code) => format!("you are no longer in that conversation ({code})"),
                        None => format!("{message} ({code})"),
                    };
                    sqlx::query("UPDATE outbox SET state = 'rejected', last_error = ? WHERE seq = ?")
                        .bind(&reason)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                    if let Some(
                        MutationOp::OpenDirect { channel_id, .. }
                        | MutationOp::CreateChannel { channel_id, .. },
                    ) = queued_op(&mut tx, seq).await?
                    {
                        // The conversation stays, with anything refused in it, but its people were
                        // members here only in expectation of the server's: none notify now.
                        sqlx::query(
                            "DELETE FROM channel_members WHERE channel_id = ?1
                             AND NOT EXISTS (SELECT 1 FROM cursors WHERE scope = ?2)",
                        )
                        .bind(channel_id.to_string())
                        .bind(ScopeId::Channel(channel_id).to_string())
                        .execute(&mut *tx)
                        .await?;
                    } else if let Some(MutationOp::SetReaction { message_id, emoji, .. }) =
                        queued_op(&mut tx, seq).await?
                    {
                        // The optimistic reaction goes; whatever the server holds arrives by pull.
                        sqlx::query(
                            "DELETE FROM reactions WHERE message_id = ? AND emoji = ?
                             AND user_id = (SELECT value FROM meta WHERE key = 'user_id')",
                        )
                        .bind(message_id.to_string())
                        .bind(&emoji)
                        .execute(&mut *tx)
                        .await?;
                    } else if let Some(op) = queued_op(&mut tx, seq).await? {
                        // A refused new message or edit keeps its text, marked; a refused delete
                        // shows the message again.
                        let (from, to) = match op {
                            MutationOp::CreateThread { .. } | MutationOp::CreateMessage { .. } => {
                                ("pending", "rejected")
                            }
                            MutationOp::EditMessage { .. } => ("editing", "rejected"),
                            MutationOp::DeleteMessage { .. } => ("deleting", "sent"),
                            MutationOp::JoinChannel { .. }
                            | MutationOp::LeaveChannel { .. }
                            | MutationOp::AddMember { .. }
                            | MutationOp::RemoveMember { .. } => {
                                if !access_lost {
                                    crate::membership::refused(&mut tx, &op, code).await?;
                                }
                                continue;
                            }
                            MutationOp::SetReaction { .. }
                            | MutationOp::OpenDirect { .. }
                            | MutationOp::CreateChannel { .. }
                            | MutationOp::UpdateChannel { .. }
                            | MutationOp::ArchiveChannel { .. }
                            | MutationOp::ReadThread { .. }
                            | MutationOp::FollowThread { .. }
                            | MutationOp::SetNudge { .. } => continue,
                            // A server that does not know withdrawals refuses one; it changed
                            // nothing, so there is nothing for the person to settle.
                            MutationOp::Withdrawn {} => {
                                crate::outbox_review::mark_resolved(&mut tx, result.seq).await?;
                                continue;
                            }
                            MutationOp::ScheduleMessage { .. } | MutationOp::CancelScheduled { .. } => {
                                crate::scheduled::refused(&mut tx, &op, &reason).await?;
                                continue;
                            }
                        };
                        let Some(message_id) = op.message_id() else { continue };
                        sqlx::query("UPDATE messages SET state = ?, error = ? WHERE id = ? AND state = ?")
                            .bind(to)
                            .bind(&reason)
                            .bind(message_id.to_string())
                            .bind(from)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                // The server has not seen an earlier entry: nothing to settle, it is resent in order.
                MutationStatus::Gap => {}
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a failed attempt to send the queue, with the reason, for the UI to show.
    pub async fn record_send_failure(&self, reason: &str) -> Result<()> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE state = 'queued'")
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

pub(crate) async fn insert_pending_message(
    tx: &mut Transaction<'_, Sqlite>,
    message: &Message,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO messages (id, thread_id, channel_id, author_id, body, created_at, attachments, server_seq, state,
                               urgent)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
    )
    .bind(message.id.to_string())
    .bind(message.thread_id.to_string())
    .bind(message.channel_id.to_string())
    .bind(message.author_id.to_string())
    .bind(&message.body)
    .bind(message.created_at)
    .bind(attachments_json(message)?)
    .bind(DeliveryState::Pending.as_str())
    .bind(message.urgent)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps a reply on this device as pending and answers the mutation that posts it.
pub(crate) async fn insert_pending_reply(
    tx: &mut Transaction<'_, Sqlite>,
    message: &Message,
) -> Result<MutationOp> {
    insert_pending_message(tx, message).await?;
    Ok(MutationOp::CreateMessage {
        message_id: message.id,
        thread_id: message.thread_id,
        body: message.body.clone(),
        attachments: message.attachments.clone(),
        urgent: message.urgent,
    })
}

pub(crate) fn attachments_json(message: &Message) -> Result<String> {
    serde_json::to_string(&message.attachments).map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// Appends `op` to the outbox with the next gap-free sequence number.
/// A reply's text, if it and its files pass the rules the server checks too.
pub(crate) fn checked_reply(body: &str, attachments: &[Attachment]) -> Result<String> {
    let body = validate::message_body(body)?;
    validate::attachment_count(attachments.len())?;
    Ok(body)
}

/// The channel of a thread this device holds; `NotFound("thread")` otherwise.
pub(crate) async fn thread_channel(
    tx: &mut Transaction<'_, Sqlite>,
    thread_id: ThreadId,
) -> Result<ChannelId> {
    let channel: Option<String> = sqlx::query_scalar("SELECT channel_id FROM threads WHERE id = ?")
        .bind(thread_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    id(&channel.ok_or(StoreError::NotFound("thread"))?)
}

/// Queues `op`, a reply written in `thread_id`'s composer, and drops the thread's draft: the draft
/// becomes the queued write in the caller's transaction, so the text is always in one of them.
pub(crate) async fn enqueue_replacing_draft(
    tx: &mut Transaction<'_, Sqlite>,
    op: &MutationOp,
    thread_id: ThreadId,
    now: UnixMillis,
) -> Result<()> {
    enqueue(tx, op, now).await?;
    sqlx::query("DELETE FROM drafts WHERE thread_id = ?")
        .bind(thread_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    op: &MutationOp,
    now: UnixMillis,
) -> Result<()> {
    let op = serde_json::to_string(op).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    sqlx::query(
        "INSERT INTO outbox (seq, mutation_id, op, client_ts)
         VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), ?, ?, ?)",
    )
    .bind(MutationId::new().to_string())
    .bind(op)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an outbox entry does.
async fn queued_op(tx: &mut Transaction<'_, Sqlite>, seq: i64) -> Result<Option<MutationOp>> {
    let op: Option<String> =
        sqlx::query_scalar("SELECT op FROM outbox WHERE seq = ?").bind(seq).fetch_optional(&mut **tx).await?;
    op.map(|op| stored_op(seq, &op)).transpose()
}

/// The write outbox entry `seq` holds, from its stored JSON.
pub(crate) fn stored_op(seq: impl std::fmt::Display, json: &str) -> Result<MutationOp> {
    serde_json::from_str(json).map_err(|error| StoreError::Corrupt(format!("outbox entry {seq}: {error}")))
}
