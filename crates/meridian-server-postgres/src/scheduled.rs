//! Scheduled replies: their rows, which replies are due, and landing one.
//!
//! Landing takes its locks in the order pushes do (see `push`): the thread's channel scope, then
//! the author's own scope, then the reply's row. A cancel holds the author's scope while it writes
//! the row, so a cancel and a landing, or two instances landing the same reply, take turns, and
//! whichever comes second finds the reply no longer pending.

use crate::PgStore;
use crate::accounts;
use crate::push::{Settling, lock_scope};
use crate::rows::{db, to_db};
use crate::writes::write_plan;
use meridian_domain::{MessageId, ScheduledMessage, ScopeId, UnixMillis};
use meridian_server_store::scheduled::{decode, encode};
use meridian_server_store::{Heads, StoreError, plan};
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashSet};

/// The scheduled reply with this message id, whoever wrote it.
pub(crate) async fn target(
    conn: &mut PgConnection,
    id: MessageId,
) -> Result<Option<ScheduledMessage>, StoreError> {
    read(conn, id, "SELECT data FROM scheduled_messages WHERE message_id = $1").await
}

async fn read(
    conn: &mut PgConnection,
    id: MessageId,
    sql: &str,
) -> Result<Option<ScheduledMessage>, StoreError> {
    let data: Option<String> =
        sqlx::query_scalar(sql).bind(id.to_string()).fetch_optional(conn).await.map_err(db)?;
    data.as_deref().map(decode).transpose()
}

/// Writes a scheduled reply's current state.
pub(crate) async fn keep(conn: &mut PgConnection, scheduled: &ScheduledMessage) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scheduled_messages (message_id, author_id, deliver_at, pending, data)
         VALUES ($1, $2, $3, $4, $5)
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

pub(crate) async fn due(store: &PgStore, now: UnixMillis, limit: u32) -> Result<Vec<MessageId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT message_id FROM scheduled_messages WHERE pending AND deliver_at <= $1
         ORDER BY deliver_at LIMIT $2",
    )
    .bind(now)
    .bind(to_db(u64::from(limit)))
    .fetch_all(&store.pool)
    .await
    .map_err(db)?;
    ids.iter().map(|id| id.parse().map_err(|_| StoreError::Backend(format!("bad message id {id}")))).collect()
}

pub(crate) async fn land(store: &PgStore, id: MessageId, now: UnixMillis) -> Result<Heads, StoreError> {
    let mut tx = store.write().await?;
    // Where it goes and whose it is never change, so they may be read before the locks.
    let Some(unlocked) = target(&mut tx, id).await? else { return Ok(Heads::new()) };
    lock_scope(&mut tx, ScopeId::Channel(unlocked.channel_id)).await?;
    lock_scope(&mut tx, ScopeId::User(unlocked.author_id)).await?;
    let locked =
        read(&mut tx, id, "SELECT data FROM scheduled_messages WHERE message_id = $1 FOR UPDATE").await?;
    let Some(scheduled) = locked.filter(|scheduled| scheduled.state.is_pending()) else {
        return Ok(Heads::new());
    };
    let author = accounts::user(&mut tx, scheduled.author_id)
        .await?
        .ok_or_else(|| StoreError::Backend(format!("the author of scheduled reply {id} is gone")))?;
    let reply = plan::landing(&scheduled, now);
    let mut settling = Settling::without_client(tx, author.id, now);
    let facts = settling.read_facts(author.id, &reply, false, &HashSet::from([id])).await?;
    let landing = plan::land(&author, &scheduled, &facts, now);
    let mut heads = BTreeMap::new();
    if let Some(posted) = &landing.reply {
        write_plan(settling.transaction(), author.id, posted, now, &mut heads).await?;
    }
    write_plan(settling.transaction(), author.id, &landing.record, now, &mut heads).await?;
    settling.commit_alone().await?;
    let late_ms = now.saturating_sub(scheduled.deliver_at);
    tracing::info!(%id, landed = landing.reply.is_some(), late_ms, "scheduled reply settled");
    Ok(heads.into_iter().collect())
}
