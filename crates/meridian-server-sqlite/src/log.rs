//! Scopes and their change logs: the one place seqs are allocated.

use crate::rows::db;
use meridian_domain::{ScopeId, UnixMillis, UserId};
use meridian_protocol::Entity;
use meridian_server_store::StoreError;
use sqlx::SqliteConnection;

pub(crate) async fn create_scope(conn: &mut SqliteConnection, scope: ScopeId) -> Result<(), StoreError> {
    let kind = match scope {
        ScopeId::Team(_) => "team",
        ScopeId::Channel(_) => "channel",
        ScopeId::User(_) => "user",
    };
    sqlx::query("INSERT INTO scopes (id, kind) VALUES (?, ?)")
        .bind(scope.to_string())
        .bind(kind)
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Appends `entity`'s post-image to `scope`'s log and returns its seq.
///
/// The seq comes from bumping the scope row inside the caller's write transaction: the bump holds
/// the write lock until commit, so no reader ever sees seq n+1 without n.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    scope: ScopeId,
    entity: &Entity,
    actor: Option<UserId>,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    let scope_text = scope.to_string();
    let seq: i64 =
        sqlx::query_scalar("UPDATE scopes SET head_seq = head_seq + 1 WHERE id = ? RETURNING head_seq")
            .bind(&scope_text)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound("scope"))?;
    let (entity_type, entity_id) = key(entity);
    let data = serde_json::to_string(entity).map_err(|error| StoreError::Backend(error.to_string()))?;
    sqlx::query(
        "INSERT INTO change_log (scope_id, seq, entity_type, entity_id, op, data, actor_id, server_ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&scope_text)
    .bind(seq)
    .bind(entity_type)
    .bind(entity_id)
    .bind(if matches!(entity, Entity::MessageDeleted(_)) { "delete" } else { "upsert" })
    .bind(data)
    .bind(actor.map(|id| id.to_string()))
    .bind(now)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(crate::rows::from_db(seq))
}

fn key(entity: &Entity) -> (&'static str, String) {
    match entity {
        Entity::Team(team) => ("team", team.id.to_string()),
        Entity::User(user) => ("user", user.id.to_string()),
        Entity::Channel(channel) => ("channel", channel.id.to_string()),
        Entity::Thread(thread) => ("thread", thread.id.to_string()),
        Entity::Message(message) => ("message", message.id.to_string()),
        // Keyed under the message, so deleting the message finds its reactions in the log.
        Entity::Reaction(reaction) => {
            ("reaction", format!("{}:{}:{}", reaction.message_id, reaction.user_id, reaction.emoji))
        }
        Entity::MessageDeleted(tombstone) => ("message", tombstone.id.to_string()),
        Entity::Membership(membership) => {
            ("membership", format!("{}:{}", membership.channel_id, membership.user_id))
        }
        Entity::Grant(grant) => ("grant", grant.scope.to_string()),
        // In the reader's own scope, so the thread alone names the register.
        Entity::ThreadRead(read) => ("thread_read", read.thread_id.to_string()),
        Entity::ThreadFollow(follow) => ("thread_follow", follow.thread_id.to_string()),
        Entity::Follower(follow) => ("thread_follower", format!("{}:{}", follow.thread_id, follow.user_id)),
        Entity::Scheduled(reply) => ("scheduled", reply.message_id.to_string()),
        // One nudge per awaited message.
        Entity::Nudge(nudge) => ("nudge", nudge.message_id.to_string()),
    }
}
