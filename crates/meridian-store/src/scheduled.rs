//! The signed-in person's scheduled replies ("send at their 09:00").
//!
//! The server keeps them and lands them at their time, whether or not this device is running;
//! its view of each arrives in the person's own scope. This device writes an optimistic row with
//! the outbox entry, so a scheduled reply shows at once, offline too, and a refused one keeps its
//! text and says why.

use crate::outbox::{checked_reply, enqueue, enqueue_replacing_draft, insert_pending_reply, thread_channel};
use crate::reads::CHANNEL_TITLE;
use crate::rows::id;
use crate::{LocalStore, ReplyOptions, Result, StoreError};
use meridian_domain::{
    Attachment, ChannelId, Message, MessageId, ScheduledMessage, ScheduledState, ThreadId, UnixMillis,
    UserId, schedule,
};
use meridian_protocol::MutationOp;
use sqlx::{Sqlite, Transaction};

/// Where a listed scheduled reply stands, as its author sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduledStatus {
    /// Still to land; `confirmed` once the server holds it.
    Pending { confirmed: bool },
    /// Refused, or it could not land when its time came. The text is kept.
    Failed { reason: String },
}

/// A scheduled reply still to land or failed, with where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledRow {
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    /// The thread's title and channel's name, empty when this device no longer holds them.
    pub thread_title: String,
    pub channel_name: String,
    pub body: String,
    pub urgent: bool,
    pub deliver_at: UnixMillis,
    pub status: ScheduledStatus,
}

impl LocalStore {
    /// Schedules a reply to land at `deliver_at`: an optimistic row and the outbox entry in one
    /// transaction, and the thread's draft goes with them, so the text is always in one of them.
    pub async fn schedule_reply(
        &self,
        thread_id: ThreadId,
        body: &str,
        options: ReplyOptions,
        deliver_at: UnixMillis,
        now: UnixMillis,
    ) -> Result<MessageId> {
        let ReplyOptions { attachments, urgent } = options;
        let body = checked_reply(body, &attachments)?;
        let deliver_at = schedule::deliver_at(deliver_at, now)?;
        let mut tx = self.write().await?;
        let channel_id = thread_channel(&mut tx, thread_id).await?;
        let message_id = MessageId::new();
        sqlx::query(
            "INSERT INTO scheduled (message_id, thread_id, channel_id, body, attachments, urgent, deliver_at, state)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduling')",
        )
        .bind(message_id.to_string())
        .bind(thread_id.to_string())
        .bind(channel_id.to_string())
        .bind(&body)
        .bind(serde_json::to_string(&attachments).map_err(|error| StoreError::Corrupt(error.to_string()))?)
        .bind(urgent)
        .bind(deliver_at)
        .execute(&mut *tx)
        .await?;
        let op = MutationOp::ScheduleMessage { message_id, thread_id, body, attachments, urgent, deliver_at };
        enqueue_replacing_draft(&mut tx, &op, thread_id, now).await?;
        tx.commit().await?;
        Ok(message_id)
    }

    /// Withdraws a scheduled reply that has not landed: it leaves the list at once and the
    /// withdrawal is queued. Returns its text, for putting it back into the composer.
    pub async fn cancel_scheduled(&self, message_id: MessageId, now: UnixMillis) -> Result<String> {
        let mut tx = self.write().await?;
        let body: Option<String> = sqlx::query_scalar(
            "UPDATE scheduled SET state = 'cancelling'
             WHERE message_id = ? AND state IN ('scheduling', 'pending') RETURNING body",
        )
        .bind(message_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let body = body.ok_or(StoreError::NotFound("scheduled reply"))?;
        enqueue(&mut tx, &MutationOp::CancelScheduled { message_id }, now).await?;
        tx.commit().await?;
        Ok(body)
    }

    /// Puts away a failed scheduled reply. One the server refused takes its refused write out of
    /// the outbox review; one the server holds (it could not land) is withdrawn there too, so the
    /// person's other devices drop it. Returns its text, so the person may send it another way.
    pub async fn dismiss_scheduled(&self, message_id: MessageId, now: UnixMillis) -> Result<String> {
        let mut tx = self.write().await?;
        let failed = failed(&mut tx, message_id).await?;
        put_away(&mut tx, message_id, now).await?;
        tx.commit().await?;
        Ok(failed.body)
    }

    /// "Send now" for a failed scheduled reply: posts it as an ordinary reply, with its text, files
    /// and urgency, under the id it was scheduled with, and puts the failed one away, in one
    /// transaction. The same id means two devices sending it by hand post it once: the server
    /// refuses the second. The thread's draft stays: it is not what is sent.
    pub async fn send_scheduled_now(
        &self,
        author: UserId,
        message_id: MessageId,
        now: UnixMillis,
    ) -> Result<Message> {
        let mut tx = self.write().await?;
        let failed = failed(&mut tx, message_id).await?;
        let message = Message {
            id: message_id,
            thread_id: failed.thread_id,
            channel_id: thread_channel(&mut tx, failed.thread_id).await?,
            author_id: author,
            body: failed.body,
            created_at: now,
            attachments: failed.attachments,
            urgent: failed.urgent,
        };
        let reply = insert_pending_reply(&mut tx, &message).await?;
        enqueue(&mut tx, &reply, now).await?;
        put_away(&mut tx, message_id, now).await?;
        tx.commit().await?;
        Ok(message)
    }

    /// Scheduled replies still to land, and failed ones not put away, soonest first.
    pub async fn scheduled_replies(&self) -> Result<Vec<ScheduledRow>> {
        type Row = (String, String, String, String, String, String, bool, i64, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT s.message_id, s.thread_id, s.channel_id, COALESCE(t.title, ''), COALESCE({CHANNEL_TITLE}, ''),
                    s.body, s.urgent, s.deliver_at, s.state, s.error
             FROM scheduled s
             LEFT JOIN threads t ON t.id = s.thread_id
             LEFT JOIN channels c ON c.id = s.channel_id
             WHERE s.state IN ('scheduling', 'pending', 'failed')
             ORDER BY s.deliver_at, s.message_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(
                    message_id,
                    thread_id,
                    channel_id,
                    thread_title,
                    channel_name,
                    body,
                    urgent,
                    deliver_at,
                    state,
                    error,
                )| {
                    let status = match state.as_str() {
                        "failed" => ScheduledStatus::Failed { reason: error.unwrap_or_default() },
                        other => ScheduledStatus::Pending { confirmed: other == "pending" },
                    };
                    Ok(ScheduledRow {
                        message_id: id(&message_id)?,
                        thread_id: id(&thread_id)?,
                        channel_id: id(&channel_id)?,
                        thread_title,
                        channel_name,
                        body,
                        urgent,
                        deliver_at,
                        status,
                    })
                },
            )
            .collect()
    }
}

/// Takes the server's view of one of the person's scheduled replies. A withdrawal still queued
/// here outranks the server's "pending", and a failure already put away stays put away.
pub(crate) async fn apply(tx: &mut Transaction<'_, Sqlite>, scheduled: &ScheduledMessage) -> Result<()> {
    let (state, error) = match &scheduled.state {
        ScheduledState::Pending => ("pending", None),
        ScheduledState::Sent { .. } => ("sent", None),
        ScheduledState::Cancelled => ("cancelled", None),
        ScheduledState::Failed { code, message } => ("failed", Some(format!("{message} ({code})"))),
    };
    sqlx::query(
        "INSERT INTO scheduled (message_id, thread_id, channel_id, body, attachments, urgent, deliver_at, state, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET
             thread_id = excluded.thread_id, channel_id = excluded.channel_id, body = excluded.body,
             attachments = excluded.attachments, urgent = excluded.urgent, deliver_at = excluded.deliver_at,
             state = CASE
                 WHEN scheduled.state = 'cancelling' AND excluded.state = 'pending' THEN 'cancelling'
                 WHEN scheduled.state = 'dismissed' AND excluded.state = 'failed' THEN 'dismissed'
                 ELSE excluded.state END,
             error = excluded.error",
    )
    .bind(scheduled.message_id.to_string())
    .bind(scheduled.thread_id.to_string())
    .bind(scheduled.channel_id.to_string())
    .bind(&scheduled.body)
    .bind(serde_json::to_string(&scheduled.attachments).map_err(|error| StoreError::Corrupt(error.to_string()))?)
    .bind(scheduled.urgent)
    .bind(scheduled.deliver_at)
    .bind(state)
    .bind(error)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The server took a scheduling write: the row is confirmed now, without waiting for the pull.
pub(crate) async fn accepted(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp) -> Result<()> {
    let (message_id, from, to) = match op {
        MutationOp::ScheduleMessage { message_id, .. } => (message_id, "scheduling", "pending"),
        MutationOp::CancelScheduled { message_id } => (message_id, "cancelling", "cancelled"),
        _ => return Ok(()),
    };
    move_state(tx, *message_id, from, to, None).await
}

/// The server refused a scheduling write: a refused reply shows as failed with the reason and
/// keeps its text; a refused withdrawal shows the reply as pending again (if it landed or was
/// withdrawn elsewhere, the server's own view arrives by pull and replaces that).
pub(crate) async fn refused(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp, reason: &str) -> Result<()> {
    match op {
        MutationOp::ScheduleMessage { message_id, .. } => {
            move_state(tx, *message_id, "scheduling", "failed", Some(reason)).await
        }
        MutationOp::CancelScheduled { message_id } => {
            move_state(tx, *message_id, "cancelling", "pending", None).await
        }
        _ => Ok(()),
    }
}

/// A refused write is sent again from the outbox review.
pub(crate) async fn retried(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp) -> Result<()> {
    match op {
        MutationOp::ScheduleMessage { message_id, .. } => {
            move_state(tx, *message_id, "failed", "scheduling", None).await
        }
        MutationOp::CancelScheduled { message_id } => {
            move_state(tx, *message_id, "pending", "cancelling", None).await
        }
        _ => Ok(()),
    }
}

/// A refused scheduling is given up from the outbox review: it leaves the list.
pub(crate) async fn discarded(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp) -> Result<()> {
    match op {
        MutationOp::ScheduleMessage { message_id, .. } => {
            move_state(tx, *message_id, "failed", "dismissed", None).await
        }
        _ => Ok(()),
    }
}

/// What a failed scheduled reply holds.
struct Failed {
    thread_id: ThreadId,
    body: String,
    attachments: Vec<Attachment>,
    urgent: bool,
}

/// The failed scheduled reply `message_id`; `NotFound` if it is not failed (or not here).
async fn failed(tx: &mut Transaction<'_, Sqlite>, message_id: MessageId) -> Result<Failed> {
    let row: Option<(String, String, String, bool)> = sqlx::query_as(
        "SELECT thread_id, body, attachments, urgent FROM scheduled WHERE message_id = ? AND state = 'failed'",
    )
    .bind(message_id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let (thread_id, body, attachments, urgent) = row.ok_or(StoreError::NotFound("failed scheduled reply"))?;
    let attachments = serde_json::from_str(&attachments)
        .map_err(|error| StoreError::Corrupt(format!("scheduled reply {message_id}: {error}")))?;
    Ok(Failed { thread_id: id(&thread_id)?, body, attachments, urgent })
}

/// Takes a failed scheduled reply off the list. If this device's scheduling of it was refused, the
/// server never held it: the refused write is resolved. Otherwise it failed on the server when its
/// time came, and the withdrawal is queued so the server marks it cancelled for every device.
async fn put_away(tx: &mut Transaction<'_, Sqlite>, message_id: MessageId, now: UnixMillis) -> Result<()> {
    move_state(tx, message_id, "failed", "dismissed", None).await?;
    let refused: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, op FROM outbox WHERE state = 'rejected' AND resolved = 0")
            .fetch_all(&mut **tx)
            .await?;
    let mut refused_here = false;
    for (seq, op) in refused {
        if matches!(
            serde_json::from_str::<MutationOp>(&op),
            Ok(MutationOp::ScheduleMessage { message_id: refused, .. }) if refused == message_id
        ) {
            refused_here = true;
            sqlx::query("UPDATE outbox SET resolved = 1 WHERE seq = ?").bind(seq).execute(&mut **tx).await?;
        }
    }
    if !refused_here {
        enqueue(tx, &MutationOp::CancelScheduled { message_id }, now).await?;
    }
    Ok(())
}

async fn move_state(
    tx: &mut Transaction<'_, Sqlite>,
    message_id: MessageId,
    from: &str,
    to: &str,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE scheduled SET state = ?, error = ? WHERE message_id = ? AND state = ?")
        .bind(to)
        .bind(error)
        .bind(message_id.to_string())
        .bind(from)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
