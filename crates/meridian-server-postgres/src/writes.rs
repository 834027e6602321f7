//! Writing an accepted plan: its rows, their change-log entries, and its grants.

use crate::blobs;
use crate::channels;
use crate::log::append;
use crate::messages;
use crate::rows::{db, to_db};
use crate::scheduled;
use meridian_domain::{Message, ScopeId, Thread, UnixMillis, UserId};
use meridian_protocol::Entity;
use meridian_server_store::StoreError;
use meridian_server_store::plan::{Plan, Write};
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// Writes a plan's rows, each with its own change-log entry, then its grants in their people's
/// own scopes (in id order, see `push`'s module notes), then what it shares with another scope,
/// and records the new head of every scope it advanced.
pub(crate) async fn write_plan(
    conn: &mut PgConnection,
    actor: UserId,
    plan: &Plan,
    now: UnixMillis,
    heads: &mut BTreeMap<ScopeId, u64>,
) -> Result<(), StoreError> {
    if let Some(Write::Open(_)) = plan.writes.first() {
        crate::log::create_scope(conn, plan.scope).await?;
    }
    for write in &plan.writes {
        let head = append(conn, plan.scope, &write.entity(), Some(actor), now).await?;
        heads.insert(plan.scope, head);
        match write {
            Write::Thread(thread) => upsert_thread(conn, thread, head).await?,
            Write::Message(message) => {
                upsert_message(conn, message, head, now).await?;
                blobs::add_refs(conn, message).await?;
            }
            Write::Edit { message, previous_body } => {
                messages::edit(conn, message, previous_body, head, now).await?
            }
            Write::Reaction(reaction) => messages::react(conn, reaction, head).await?,
            Write::Delete(tombstone) => messages::delete(conn, plan.scope, tombstone, head, now).await?,
            Write::Membership(membership) => channels::set_membership(conn, membership, now).await?,
            Write::Open(channel) => channels::insert_row(conn, channel, head, now).await?,
            Write::Describe(channel) => channels::describe(conn, channel, head).await?,
            Write::Schedule(reply) => scheduled::keep(conn, reply).await?,
            Write::Private(_) => {}
        }
    }
    let mut grants: Vec<_> = plan.grants.iter().collect();
    grants.sort_by_key(|(user, _)| *user);
    for (user, grant) in grants {
        let scope = ScopeId::User(*user);
        let head = append(conn, scope, &Entity::Grant(grant.clone()), Some(actor), now).await?;
        heads.insert(scope, head);
    }
    for (scope, entity) in &plan.shared {
        let head = append(conn, *scope, entity, Some(actor), now).await?;
        heads.insert(*scope, head);
    }
    Ok(())
}

async fn upsert_thread(conn: &mut PgConnection, thread: &Thread, seq: u64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO threads (id, channel_id, title, author_id, created_at, order_seq, last_change_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, last_change_seq = excluded.last_change_seq",
    )
    .bind(thread.id.to_string())
    .bind(thread.channel_id.to_string())
    .bind(&thread.title)
    .bind(thread.author_id.to_string())
    .bind(thread.created_at)
    .bind(to_db(seq))
    .bind(to_db(seq))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn upsert_message(
    conn: &mut PgConnection,
    message: &Message,
    seq: u64,
    now: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO messages (id, thread_id, channel_id, author_id, body, created_at, order_seq,
                               last_change_seq, server_created_at, urgent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, last_change_seq = excluded.last_change_seq",
    )
    .bind(message.id.to_string())
    .bind(message.thread_id.to_string())
    .bind(message.channel_id.to_string())
    .bind(message.author_id.to_string())
    .bind(&message.body)
    .bind(message.created_at)
    .bind(to_db(seq))
    .bind(to_db(seq))
    .bind(now)
    .bind(message.urgent)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}
