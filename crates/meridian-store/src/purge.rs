//! Forgetting a conversation this user may no longer read (sync.md §5.4).
//!
//! When a revocation arrives in the user's own scope, or a pull answer lists the scope among
//! `removed_scopes`, everything of it goes in the transaction applying that answer: the channel,
//! its member list, threads, messages, reactions and the cursor. A later grant then starts from an
//! empty scope, fetched from cursor 0.
//!
//! The user's own unsent writes are not lost: their outbox entries keep their text and are still
//! sent in order (the server settles every seq), and the refusal they get is shown as
//! `not_a_member`.

use crate::Result;
use crate::rows::id;
use meridian_domain::{ChannelId, ScopeId, ThreadId};
use meridian_protocol::MutationOp;
use sqlx::{Sqlite, Transaction};

/// The code a write into a purged conversation is refused with, whatever the server says.
pub(crate) const NOT_A_MEMBER: &str = "not_a_member";

/// Removes every row of `scope` held on this device, and says whether there was any: a removal
/// applied again finds nothing and must not count as a change. Only channel scopes are ever lost;
/// the team and user scopes are read for as long as the account exists.
pub(crate) async fn purge_scope(tx: &mut Transaction<'_, Sqlite>, scope: ScopeId) -> Result<bool> {
    let mut removed = 0;
    if let ScopeId::Channel(channel) = scope {
        mark_queued_writes(tx, channel).await?;
        let channel = channel.to_string();
        for statement in [
            "DELETE FROM reactions WHERE message_id IN (SELECT id FROM messages WHERE channel_id = ?)",
            "DELETE FROM messages WHERE channel_id = ?",
            "DELETE FROM thread_followers WHERE thread_id IN (SELECT id FROM threads WHERE channel_id = ?)",
            "DELETE FROM threads WHERE channel_id = ?",
            "DELETE FROM channel_members WHERE channel_id = ?",
            "DELETE FROM channels WHERE id = ?",
        ] {
            removed += sqlx::query(statement).bind(&channel).execute(&mut **tx).await?.rows_affected();
        }
    }
    removed += sqlx::query("DELETE FROM cursors WHERE scope = ?")
        .bind(scope.to_string())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    // Nothing older of it is wanted any more: no loader asks the server for it again.
    sqlx::query("DELETE FROM scope_history WHERE scope = ?")
        .bind(scope.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(removed > 0)
}

/// Flags the queued writes into `channel`, read before its rows go, so their refusal says why.
async fn mark_queued_writes(tx: &mut Transaction<'_, Sqlite>, channel: ChannelId) -> Result<()> {
    let queued: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, op FROM outbox WHERE state = 'queued'").fetch_all(&mut **tx).await?;
    for (seq, op) in queued {
        let Ok(op) = serde_json::from_str::<MutationOp>(&op) else { continue };
        if op_channel(tx, &op).await? == Some(channel) {
            sqlx::query("UPDATE outbox SET refusal = ? WHERE seq = ?")
                .bind(NOT_A_MEMBER)
                .bind(seq)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// The channel a queued write goes to, as this device knows it.
async fn op_channel(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp) -> Result<Option<ChannelId>> {
    let named = match op {
        MutationOp::CreateThread { channel_id, .. }
        | MutationOp::JoinChannel { channel_id }
        | MutationOp::LeaveChannel { channel_id }
        | MutationOp::AddMember { channel_id, .. }
        | MutationOp::RemoveMember { channel_id, .. }
        | MutationOp::OpenDirect { channel_id, .. }
        | MutationOp::CreateChannel { channel_id, .. }
        | MutationOp::UpdateChannel { channel_id, .. }
        | MutationOp::ArchiveChannel { channel_id, .. } => return Ok(Some(*channel_id)),
        MutationOp::CreateMessage { thread_id, .. }
        | MutationOp::ScheduleMessage { thread_id, .. }
        | MutationOp::ReadThread { thread_id, .. }
        | MutationOp::FollowThread { thread_id, .. } => thread_channel(tx, *thread_id).await?,
        MutationOp::EditMessage { message_id, .. }
        | MutationOp::DeleteMessage { message_id }
        | MutationOp::SetReaction { message_id, .. }
        | MutationOp::SetNudge { message_id, .. } => {
            sqlx::query_scalar("SELECT channel_id FROM messages WHERE id = ?")
                .bind(message_id.to_string())
                .fetch_optional(&mut **tx)
                .await?
        }
        // Kept in the author's own scope until it lands; the server checks the channel then.
        MutationOp::CancelScheduled { .. } => None,
        // Goes nowhere: it only keeps a taken-back write's place.
        MutationOp::Withdrawn {} => None,
    };
    named.map(|channel: String| id(&channel)).transpose()
}

async fn thread_channel(tx: &mut Transaction<'_, Sqlite>, thread: ThreadId) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT channel_id FROM threads WHERE id = ?")
        .bind(thread.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}
