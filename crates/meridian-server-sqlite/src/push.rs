//! Settling pushed mutations exactly once (sync.md §7): one write transaction per push holds the
//! client's high-water mark, every mutation's effects, change-log entries and recorded result, so
//! after any crash either the whole batch exists or none of it does, and the client's retry of the
//! batch settles it from the same mark.
//!
//! One transaction per push rather than per mutation is group commit: with `synchronous=FULL`
//! every commit waits for an fsync, and that wait, not the SQL, bounds the posts per second a
//! server can durably take (see `bench/results/`).

use crate::SqliteStore;
use crate::blobs;
use crate::channels;
use crate::log::append;
use crate::messages;
use crate::rows::{self, db, to_db};
use crate::scheduled;
use meridian_domain::{ClientId, Message, ScopeId, Thread, ThreadId, UnixMillis, User, UserId};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationResult, MutationStatus};
use meridian_server_store::plan::{self, Facts, Plan, Targets, Write};
use meridian_server_store::sequence::{SeqCheck, check_seq};
use meridian_server_store::{PushOutcome, StoreError};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

pub(crate) async fn apply(
    store: &SqliteStore,
    author: &User,
    client: ClientId,
    mutations: &[Mutation],
    now: UnixMillis,
) -> Result<PushOutcome, StoreError> {
    let mut outcome = PushOutcome::default();
    if mutations.is_empty() {
        outcome.last_mutation_seq = settled_so_far(store, author.id, client).await?;
        return Ok(outcome);
    }
    let mut heads = BTreeMap::new();
    let mut tx = store.write().await?;
    // The write lock, held from here to the commit, serializes pushes from the same client, so
    // the mark read once stays true for the whole batch.
    let mut last = claim_client(&mut tx, author.id, client, now).await?;
    for mutation in mutations {
        let check = check_seq(last, mutation.seq);
        let status = match check {
            SeqCheck::Duplicate => earlier_verdict(&mut tx, client, mutation.seq).await?,
            SeqCheck::Gap => MutationStatus::Gap,
            SeqCheck::Next => {
                let status = settle(&mut tx, author, client, mutation, now, &mut heads).await?;
                last = mutation.seq;
                status
            }
        };
        outcome.results.push(MutationResult { seq: mutation.seq, status });
        if check == SeqCheck::Gap {
            break;
        }
    }
    // Nothing is answered before this commit: a failure above rolls the whole batch back.
    tx.commit().await.map_err(db)?;
    outcome.last_mutation_seq = last;
    outcome.heads = heads.into_iter().collect();
    Ok(outcome)
}

/// The answer a retried mutation gets: `duplicate` if it was applied, or the refusal it got the
/// first time, so a client whose first answer was lost still learns it was refused.
async fn earlier_verdict(
    conn: &mut SqliteConnection,
    client: ClientId,
    seq: u64,
) -> Result<MutationStatus, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT status, result FROM mutation_results WHERE client_id = ? AND mutation_seq = ?",
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
async fn settled_so_far(store: &SqliteStore, user: UserId, client: ClientId) -> Result<u64, StoreError> {
    let mut tx = store.read().await?;
    let last = client_mark(&mut tx, user, client).await?;
    tx.commit().await.map_err(db)?;
    Ok(last)
}

/// The high-water mark of `client`, 0 if it never pushed; a client of another user is refused.
pub(crate) async fn client_mark(
    conn: &mut SqliteConnection,
    user: UserId,
    client: ClientId,
) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT user_id, last_mutation_seq FROM clients WHERE id = ?")
        .bind(client.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match row {
        None => Ok(0),
        Some(row) => owned_mark(&row, user),
    }
}

/// Binds the client to `user` on first use and returns its high-water mark.
async fn claim_client(
    conn: &mut SqliteConnection,
    user: UserId,
    client: ClientId,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO clients (id, user_id, last_mutation_seq, created_at, last_seen_at) VALUES (?, ?, 0, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at
         RETURNING user_id, last_mutation_seq",
    )
    .bind(client.to_string())
    .bind(user.to_string())
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(db)?;
    owned_mark(&row, user)
}

fn owned_mark(row: &sqlx::sqlite::SqliteRow, user: UserId) -> Result<u64, StoreError> {
    let owner: UserId = rows::parsed(row, "user_id")?;
    if owner != user {
        return Err(StoreError::ClientMismatch);
    }
    Ok(rows::from_db(rows::int(row, "last_mutation_seq")?))
}

/// Applies or rejects the client's next mutation and records the answer.
async fn settle(
    conn: &mut SqliteConnection,
    author: &User,
    client: ClientId,
    mutation: &Mutation,
    now: UnixMillis,
    heads: &mut BTreeMap<ScopeId, u64>,
) -> Result<MutationStatus, StoreError> {
    let targets = plan::targets(author.id, &mutation.op);
    let mut facts = read_facts(conn, author.id, mutation, &targets, now).await?;
    if let MutationOp::OpenDirect { participants, .. } = &mutation.op {
        let mut named = participants.clone();
        named.push(author.id);
        facts.team_id = Some(crate::accounts::team_id(conn).await?);
        facts.participants = channels::people(conn, &named).await?;
    }
    let status = match plan::plan(author, mutation, &facts) {
        Ok(plan) => {
            write_plan(conn, author.id, &plan, now, heads).await?;
            MutationStatus::Applied
        }
        Err(rejection) => {
            tracing::debug!(code = rejection.code, seq = mutation.seq, "mutation rejected");
            rejection.into()
        }
    };
    sqlx::query("UPDATE clients SET last_mutation_seq = ? WHERE id = ?")
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
         VALUES (?, ?, ?, ?, ?, ?)",
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

/// What `mutation` by `author` needs known before it is planned, read in the caller's transaction.
pub(crate) async fn read_facts(
    conn: &mut SqliteConnection,
    author: UserId,
    mutation: &Mutation,
    targets: &Targets,
    now: UnixMillis,
) -> Result<Facts, StoreError> {
    let (mutation_id, attachments) = (mutation.id, mutation.op.attachments());
    let mutation_id_used: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mutation_results WHERE mutation_id = ?)")
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
            sqlx::query("SELECT id, channel_id, title, author_id, created_at FROM threads WHERE id = ?")
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
    let blobs = blobs::attached(conn, author, attachments).await?;
    let read_through_seq = match (targets.read_cursor, targets.thread_id) {
        (true, Some(thread_id)) => read_cursor(conn, author, thread_id).await?,
        _ => None,
    };
    let subject = match (targets.subject, targets.channel(thread.as_ref())) {
        (Some(user), Some(channel)) => channels::subject(conn, channel, user).await?,
        _ => None,
    };
    let scheduled = match (targets.scheduled, targets.message_id) {
        (true, Some(id)) => scheduled::target(conn, id).await?,
        _ => None,
    };
    Ok(Facts {
        mutation_id_used,
        thread,
        channel,
        message_exists: message.is_some(),
        message,
        blobs,
        subject,
        read_through_seq,
        scheduled,
        now,
        ..Facts::default()
    })
}

/// `user`'s read cursor of a thread: the latest such entry of their own scope's log, which is the
/// cursor's only store.
async fn read_cursor(
    conn: &mut SqliteConnection,
    user: UserId,
    thread: ThreadId,
) -> Result<Option<u64>, StoreError> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM change_log WHERE scope_id = ? AND entity_type = 'thread_read' AND entity_id = ?
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

/// Writes a plan's rows, each with its own change-log entry, then its grants in their people's
/// own scopes, then what it shares with another scope, and records the new head of every scope it
/// advanced.
pub(crate) async fn write_plan(
    conn: &mut SqliteConnection,
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
            Write::Schedule(scheduled) => scheduled::keep(conn, scheduled).await?,
            Write::Private(_) => {}
        }
    }
    for (user, grant) in &plan.grants {
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

async fn upsert_thread(conn: &mut SqliteConnection, thread: &Thread, seq: u64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO threads (id, channel_id, title, author_id, created_at, order_seq, last_change_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)
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
    conn: &mut SqliteConnection,
    message: &Message,
    seq: u64,
    now: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO messages (id, thread_id, channel_id, author_id, body, created_at, order_seq,
                               last_change_seq, server_created_at, urgent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
