//! Writes that change an existing message: edits with revisions, reactions, and deletes that
//! purge content everywhere the server holds it.

use crate::blobs;
use crate::rows::{self, db, to_db};
use meridian_domain::{Message, MessageId, ScopeId, UnixMillis};
use meridian_domain::{Reaction, Tombstone};
use meridian_protocol::Entity;
use meridian_server_store::StoreError;
use meridian_server_store::plan::TargetMessage;
use sqlx::PgConnection;

/// The message a mutation names, deleted or not, locked until commit so that writes to one
/// message (edits, reactions, its delete) take turns across instances.
pub(crate) async fn target(
    conn: &mut PgConnection,
    id: MessageId,
) -> Result<Option<TargetMessage>, StoreError> {
    let row = sqlx::query(
        "SELECT id, thread_id, channel_id, author_id, body, created_at, deleted_at, urgent FROM messages WHERE id = $1
         FOR UPDATE",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let deleted: Option<i64> = sqlx::Row::try_get(&row, "deleted_at").map_err(db)?;
    let urgent: bool = sqlx::Row::try_get(&row, "urgent").map_err(db)?;
    let attachments = blobs::attachments_of(conn, id).await?;
    Ok(Some(TargetMessage {
        message: Message {
            id: rows::parsed(&row, "id")?,
            thread_id: rows::parsed(&row, "thread_id")?,
            channel_id: rows::parsed(&row, "channel_id")?,
            author_id: rows::parsed(&row, "author_id")?,
            body: rows::text(&row, "body")?,
            created_at: rows::int(&row, "created_at")?,
            attachments,
            urgent,
        },
        deleted: deleted.is_some(),
    }))
}

/// Replaces a message's text, keeping the previous text as the next revision.
pub(crate) async fn edit(
    conn: &mut PgConnection,
    message: &Message,
    previous_body: &str,
    seq: u64,
    now: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO message_revisions (message_id, rev, body, replaced_at)
         VALUES ($1, (SELECT COUNT(*) + 1 FROM message_revisions WHERE message_id = $2), $3, $4)",
    )
    .bind(message.id.to_string())
    .bind(message.id.to_string())
    .bind(previous_body)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE messages SET body = $1, last_change_seq = $2 WHERE id = $3")
        .bind(&message.body)
        .bind(to_db(seq))
        .bind(message.id.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn react(conn: &mut PgConnection, reaction: &Reaction, seq: u64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reactions (message_id, user_id, emoji, present, last_change_seq) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (message_id, user_id, emoji)
         DO UPDATE SET present = excluded.present, last_change_seq = excluded.last_change_seq",
    )
    .bind(reaction.message_id.to_string())
    .bind(reaction.user_id.to_string())
    .bind(&reaction.emoji)
    .bind(reaction.present)
    .bind(to_db(seq))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Deletes a message's content: the row keeps only its place, revisions and reactions go, and
/// every earlier log entry about the message (its creation, edits, reactions) is rewritten to
/// the tombstone. The log keeps every seq, so cursors and contiguity are untouched.
pub(crate) async fn delete(
    conn: &mut PgConnection,
    scope: ScopeId,
    tombstone: &Tombstone,
    seq: u64,
    now: UnixMillis,
) -> Result<(), StoreError> {
    let id = tombstone.id.to_string();
    sqlx::query("UPDATE messages SET body = '', deleted_at = $1, last_change_seq = $2 WHERE id = $3")
        .bind(now)
        .bind(to_db(seq))
        .bind(&id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    blobs::drop_refs(conn, tombstone.id).await?;
    for table in ["message_revisions", "reactions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE message_id = $1"))
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    let data = serde_json::to_string(&Entity::MessageDeleted(tombstone.clone()))
        .map_err(|error| StoreError::Backend(error.to_string()))?;
    sqlx::query(
        "UPDATE change_log SET entity_type = 'message', entity_id = $1, op = 'delete', data = $2
         WHERE scope_id = $3 AND seq < $4 AND (entity_id = $5 OR entity_id LIKE $6 || ':%')",
    )
    .bind(&id)
    .bind(data)
    .bind(scope.to_string())
    .bind(to_db(seq))
    .bind(&id)
    .bind(&id)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}
