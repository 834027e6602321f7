//! Scheduled replies: their rows, which replies are due, and landing one.

use crate::SqliteStore;
use crate::accounts;
use crate::push::{Seen, read_facts, write_plan};
use crate::rows::{db, to_db};
use meridian_domain::{MessageId, ScheduledMessage, UnixMillis};
use meridian_server_store::scheduled::{decode, encode};
use meridian_server_store::{Heads, StoreError, plan};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

/// The scheduled reply with this message id, whoever wrote it.
pub(crate) async fn target(
    conn: &mut SqliteConnection,
    id: MessageId,
) -> Result<Option<ScheduledMessage>, StoreError> {
    let data: Option<String> = sqlx::query_scalar("SELECT data FROM scheduled_messages WHERE message_id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    data.as_deref().map(decode).transpose()
}

/// Writes a scheduled reply's current state.
pub(crate) async fn keep(
    conn: &mut SqliteConnection,
    scheduled: &ScheduledMessage,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scheduled_messages (message_id, author_id, deliver_at, pending, data)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET pending = excluded.pending, data = excluded.data",
    )
    .bind(scheduled.message_id.to_string())
    .bind(scheduled.author_id.to_string())
    .bind(scheduled.deliver_at)
    .bind(scheduled.state.is_pending())
    .bind(encode(scheduled)?)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn due(
    store: &SqliteStore,
    now: UnixMillis,
    limit: u32,
) -> Result<Vec<MessageId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT message_id FROM scheduled_messages WHERE pending = 1 AND deliver_at <= ?
         ORDER BY deliver_at LIMIT ?",
    )
    .bind(now)
    .bind(to_db(u64::from(limit)))
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    ids.iter().map(|id| id.parse().map_err(|_| StoreError::Backend(format!("bad message id {id}")))).collect()
}

/// Lands one scheduled reply under the write lock, which also keeps a cancel from racing it.
pub(crate) async fn land(store: &SqliteStore, id: MessageId, now: UnixMillis) -> Result<Heads, StoreError> {
    let mut tx = store.write().await?;
    let Some(scheduled) = target(&mut tx, id).await?.filter(|scheduled| scheduled.state.is_pending()) else {
        return Ok(Heads::new());
    };
    let author = accounts::user(&mut tx, scheduled.author_id)
        .await?
        .ok_or_else(|| StoreError::Backend(format!("the author of scheduled reply {id} is gone")))?;
    let reply = plan::landing(&scheduled, now);
    let targets = plan::targets(author.id, &reply.op);
    let facts = read_facts(&mut tx, author.id, &reply, &targets, now, &mut Seen::nothing()).await?;
    let landing = plan::land(&author, &scheduled, &facts, now);
    let mut heads = BTreeMap::new();
    if let Some(posted) = &landing.reply {
        write_plan(&mut tx, author.id, posted, now, &mut heads).await?;
    }
    write_plan(&mut tx, author.id, &landing.record, now, &mut heads).await?;
    tx.commit().await.map_err(db)?;
    let late_ms = now.saturating_sub(scheduled.deliver_at);
    tracing::info!(%id, landed = landing.reply.is_some(), late_ms, "scheduled reply settled");
    Ok(heads.into_iter().collect())
}
