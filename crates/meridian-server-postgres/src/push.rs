//! Settling pushed mutations exactly once (sync.md §7): one write transaction per mutation holds
//! the client's high-water mark, the mutation's effects, its change-log entries and its recorded
//! result, so after any crash either all of them exist or none do.
//!
//! Unlike SQLite's group commit, a push here commits mutation by mutation: the row locks that
//! make several instances exact are held for one mutation, not for a whole batch.

use crate::PgStore;
use crate::channels;
use crate::log::append;
use crate::messages;
use crate::rows::{self, db, to_db};
use meridian_domain::{ClientId, Message, MutationId, ScopeId, Thread, ThreadId, UnixMillis, User, UserId};
use meridian_protocol::{Entity, Mutation, MutationResult, MutationStatus};
use meridian_server_store::plan::{self, Facts, Plan, Targets, Write};
use meridian_server_store::sequence::{SeqCheck, check_seq};
use meridian_server_store::{PushOutcome, StoreError};
use sqlx::PgConnection;
use std::collections::BTreeMap;

pub(crate) async fn apply(
    store: &PgStore,
    author: &User,
    client: ClientId,
    mutations: &[Mutation],
    now: UnixMillis,
) -> Result<PushOutcome, StoreError> {
    let mut outcome = PushOutcome::default();
    let mut heads = BTreeMap::new();
    if mutations.is_empty() {
        outcome.last_mutation_seq = settled_so_far(store, author.id, client).await?;
    }
    for mutation in mutations {
        let mut tx = store.write().await?;
        let last = claim_client(&mut tx, author.id, client, now).await?;
        let check = check_seq(last, mutation.seq);
        let status = match check {
            SeqCheck::Duplicate => earlier_verdict(&mut tx, client, mutation.seq).await?,
            SeqCheck::Gap => MutationStatus::Gap,
            SeqCheck::Next => settle(&mut tx, author, client, mutation, now, &mut heads).await?,
        };
        tx.commit().await.map_err(db)?;
        outcome.last_mutation_seq = if check == SeqCheck::Next { mutation.seq } else { last };
        outcome.results.push(MutationResult { seq: mutation.seq, status });
        if check == SeqCheck::Gap {
            break;
        }
    }
    outcome.heads = heads.into_iter().collect();
    Ok(outcome)
}

/// The answer a retried mutation gets: `duplicate` if it was applied, or the refusal it got the
/// first time, so a client whose first answer was lost still learns it was refused.
async fn earlier_verdict(
    conn: &mut PgConnection,
    client: ClientId,
    seq: u64,
) -> Result<MutationStatus, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT status, result FROM mutation_results WHERE client_id = $1 AND mutation_seq = $2",
    )
    .bind(client.to_string())
    .bind(to_db(seq))
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    Ok(match row {
        Some((status, result)) if status == "rejected" => serde_json::from_str(&result)
            .map_err(|error| StoreError::Backend(format!("stored verdict of {client}/{seq}: {error}")))?,
        _ => MutationStatus::Duplicate,
    })
}

/// The client's high-water mark without claiming it (an empty push).
async fn settled_so_far(store: &PgStore, user: UserId, client: ClientId) -> Result<u64, StoreError> {
    let mut tx = store.read().await?;
    let last = client_mark(&mut tx, user, client).await?;
    tx.commit().await.map_err(db)?;
    Ok(last)
}

/// The high-water mark of `client`, 0 if it never pushed; a client of another user is refused.
pub(crate) async fn client_mark(
    conn: &mut PgConnection,
    user: UserId,
    client: ClientId,
) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT user_id, last_mutation_seq FROM clients WHERE id = $1")
        .bind(client.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match row {
        None => Ok(0),
        Some(row) => owned_mark(&row, user),
    }
}

/// Binds the client to `user` on first use and returns its high-water mark, holding the client
/// row's lock until commit: a second push from the same client, on any server instance, waits
/// here and then sees this one's outcome (sync.md §7).
async fn claim_client(
    conn: &mut PgConnection,
    user: UserId,
    client: ClientId,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    // A concurrent first push of the same client makes this wait for it, then do nothing.
    sqlx::query(
        "INSERT INTO clients (id, user_id, last_mutation_seq, created_at, last_seen_at)
         VALUES ($1, $2, 0, $3, $3)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(client.to_string())
    .bind(user.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    let row = sqlx::query("SELECT user_id, last_mutation_seq FROM clients WHERE id = $1 FOR UPDATE")
        .bind(client.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let mark = owned_mark(&row, user)?;
    sqlx::query("UPDATE clients SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(client.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(mark)
}

fn owned_mark(row: &sqlx::postgres::PgRow, user: UserId) -> Result<u64, StoreError> {
    let owner: UserId = rows::parsed(row, "user_id")?;
    if owner != user {
        return Err(StoreError::ClientMismatch);
    }
    Ok(rows::from_db(rows::int(row, "last_mutation_seq")?))
}

/// Applies or rejects the client's next mutation and records the answer.
async fn settle(
    conn: &mut PgConnection,
    author: &User,
    client: ClientId,
    mutation: &Mutation,
    now: UnixMillis,
    heads: &mut BTreeMap<ScopeId, u64>,
) -> Result<MutationStatus, StoreError> {
    let facts = read_facts(conn, author.id, mutation.id, &plan::targets(&mutation.op)).await?;
    let status = match plan::plan(author, mutation, &facts) {
        Ok(plan) => {
            // A plan without writes changes nothing, so no scope advances.
            if !plan.writes.is_empty() {
                let head = write_plan(conn, author.id, &plan, now).await?;
                heads.insert(plan.scope, head);
            }
            MutationStatus::Applied
        }
        Err(rejection) => {
            tracing::debug!(code = rejection.code, seq = mutation.seq, "mutation rejected");
            rejection.into()
        }
    };
    sqlx::query("UPDATE clients SET last_mutation_seq = $1 WHERE id = $2")
        .bind(to_db(mutation.seq))
        .bind(client.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let (label, result) = match &status {
        MutationStatus::Applied => ("applied", "{}".to_owned()),
        other => ("rejected", serde_json::to_string(other).map_err(|e| StoreError::Backend(e.to_string()))?),
    };
    // The id stays with the write that first used it; a reuse is recorded without it.
    let recorded_id = (!facts.mutation_id_used).then(|| mutation.id.to_string());
    sqlx::query(
        "INSERT INTO mutation_results (client_id, mutation_seq, mutation_id, status, result, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(client.to_string())
    .bind(to_db(mutation.seq))
    .bind(recorded_id)
    .bind(label)
    .bind(result)
    .bind(now)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(status)
}

async fn read_facts(
    conn: &mut PgConnection,
    author: UserId,
    mutation_id: MutationId,
    targets: &Targets,
) -> Result<Facts, StoreError> {
    let mutation_id_used: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mutation_results WHERE mutation_id = $1)")
            .bind(mutation_id.to_string())
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let message = match targets.message_id {
        Some(id) => messages::target(conn, id).await?,
        None => None,
    };
    let thread = match targets.thread(message.as_ref()) {
        Some(thread_id) => {
            sqlx::query("SELECT id, channel_id, title, author_id, created_at FROM threads WHERE id = $1")
                .bind(thread_id.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
                .as_ref()
                .map(rows::thread)
                .transpose()?
        }
        None => None,
    };
    let channel = match targets.channel(thread.as_ref()) {
        Some(id) => channels::access(conn, id, author).await?,
        None => None,
    };
    let read_through_seq = match (targets.read_cursor, targets.thread_id) {
        (true, Some(thread_id)) => read_cursor(conn, author, thread_id).await?,
        _ => None,
    };
    Ok(Facts {
        mutation_id_used,
        thread,
        channel,
        message_exists: message.is_some(),
        message,
        read_through_seq,
    })
}

/// `user`'s read cursor of a thread: the latest such entry of their own scope's log, which is the
/// cursor's only store.
async fn read_cursor(
    conn: &mut PgConnection,
    user: UserId,
    thread: ThreadId,
) -> Result<Option<u64>, StoreError> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM change_log WHERE scope_id = $1 AND entity_type = 'thread_read' AND entity_id = $2
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(ScopeId::User(user).to_string())
    .bind(thread.to_string())
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    match data.map(|data| serde_json::from_str(&data)).transpose() {
        Ok(Some(Entity::ThreadRead(read))) => Ok(Some(read.read_through_seq)),
        Ok(_) => Ok(None),
        Err(error) => Err(StoreError::Backend(format!("unreadable read cursor of {thread}: {error}"))),
    }
}

/// Writes a plan's rows, each with its own change-log entry; returns the scope's new head.
async fn write_plan(
    conn: &mut PgConnection,
    actor: UserId,
    plan: &Plan,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    let mut head = 0;
    for write in &plan.writes {
        head = append(conn, plan.scope, &write.entity(), Some(actor), now).await?;
        match write {
            Write::Thread(thread) => upsert_thread(conn, thread, head).await?,
            Write::Message(message) => upsert_message(conn, message, head, now).await?,
            Write::Edit { message, previous_body } => {
                messages::edit(conn, message, previous_body, head, now).await?
            }
            Write::Reaction(reaction) => messages::react(conn, reaction, head).await?,
            Write::Delete(tombstone) => messages::delete(conn, plan.scope, tombstone, head, now).await?,
            Write::Private(_) => {}
        }
    }
    Ok(head)
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
                               last_change_seq, server_created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}
