//! Settling pushed mutations exactly once (sync.md §7): one write transaction per push holds the
//! client's high-water mark, every mutation's effects, change-log entries and recorded result, so
//! after any crash either the whole batch exists or none of it does, and the client's retry of the
//! batch settles it from the same mark.
//!
//! One transaction per push rather than per mutation is group commit: with `synchronous=FULL`
//! every commit waits for an fsync. Each statement is also a round trip to SQLite's worker
//! thread, which costs most when the machine is otherwise idle (a sleeping core must wake), so a
//! push reads once what all its mutations need to know (which ids were used, which messages
//! exist, threads and channel access) and writes the client's mark once (see `bench/results/`).

use crate::SqliteStore;
use crate::blobs;
use crate::channels;
use crate::log::append;
use crate::messages;
use crate::rows::{self, db, to_db};
use crate::scheduled;
use meridian_domain::{ChannelId, MessageId, MutationId};
use meridian_domain::{ClientId, Message, ScopeId, Thread, ThreadId, UnixMillis, User, UserId};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationResult, MutationStatus};
use meridian_server_store::plan::ChannelAccess;
use meridian_server_store::plan::{self, Facts, Plan, Targets, Write};
use meridian_server_store::sequence::{
    SeqCheck, check_seq, recalled_verdict, recorded_verdict, repeated_verdict,
};
use meridian_server_store::{PushOutcome, StoreError};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    let claimed = claim_client(&mut tx, author.id, client, now).await?;
    let mut last = claimed;
    let mut seen = Seen::read(&mut tx, mutations).await?;
    let mut verdicts = Vec::new();
    for mutation in mutations {
        let check = check_seq(last, mutation.seq);
        let status = match check {
            SeqCheck::Duplicate => {
                match verdicts.iter().find(|verdict: &&Verdict| verdict.seq == mutation.seq) {
                    // Sent twice in this push: the answer the first got.
                    Some(verdict) => repeated_verdict(&verdict.status),
                    None => earlier_verdict(&mut tx, client, mutation.seq).await?,
                }
            }
            SeqCheck::Gap => MutationStatus::Gap,
            SeqCheck::Next => {
                let verdict = settle(&mut tx, author, mutation, now, &mut heads, &mut seen).await?;
                let status = verdict.status.clone();
                verdicts.push(verdict);
                last = mutation.seq;
                status
            }
        };
        outcome.results.push(MutationResult { seq: mutation.seq, status });
        if check == SeqCheck::Gap {
            break;
        }
    }
    record(&mut tx, client, &verdicts, now).await?;
    if last != claimed {
        sqlx::query("UPDATE clients SET last_mutation_seq = ? WHERE id = ?")
            .bind(to_db(last))
            .bind(client.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    // Nothing is answered before this commit: a failure above rolls the whole batch back.
    tx.commit().await.map_err(db)?;
    outcome.last_mutation_seq = last;
    outcome.heads = heads.into_iter().collect();
    Ok(outcome)
}

/// How a mutation was settled, recorded with the push.
struct Verdict {
    seq: u64,
    /// The mutation's id, unless an earlier write used it.
    mutation_id: Option<MutationId>,
    status: MutationStatus,
}

/// Records every verdict of the push in one statement.
async fn record(
    conn: &mut SqliteConnection,
    client: ClientId,
    verdicts: &[Verdict],
    now: UnixMillis,
) -> Result<(), StoreError> {
    if verdicts.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(verdicts.len());
    for verdict in verdicts {
        let (label, result) = recorded_verdict(&verdict.status)?;
        let id = verdict.mutation_id.map(|id| id.to_string());
        rows.push(serde_json::json!([to_db(verdict.seq), id, label, result]));
    }
    sqlx::query(
        "INSERT INTO mutation_results (client_id, mutation_seq, mutation_id, status, result, created_at)
         SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]'), ?2
         FROM json_each(?3)",
    )
    .bind(client.to_string())
    .bind(now)
    .bind(serde_json::Value::from(rows).to_string())
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
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
    recalled_verdict(client, seq, row)
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

/// What a push knows without asking again, read in its transaction and kept true as it settles.
/// Without a read beforehand ([`Seen::nothing`]) every question goes to the database.
#[derive(Default)]
pub(crate) struct Seen {
    read: bool,
    /// Mutation ids recorded before this push, and those it recorded.
    used_ids: HashSet<MutationId>,
    /// Messages named by the push that exist, and those it created.
    existing: HashSet<MessageId>,
    threads: HashMap<ThreadId, Thread>,
    access: HashMap<ChannelId, Option<ChannelAccess>>,
}

impl Seen {
    pub(crate) fn nothing() -> Self {
        Self::default()
    }

    /// Reads which of the ids `mutations` carry were used, and which messages they name exist.
    async fn read(conn: &mut SqliteConnection, mutations: &[Mutation]) -> Result<Self, StoreError> {
        let ids: Vec<String> = mutations.iter().map(|mutation| mutation.id.to_string()).collect();
        let used: Vec<String> = sqlx::query_scalar(
            "SELECT mutation_id FROM mutation_results WHERE mutation_id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::Value::from(ids).to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let named: Vec<String> = mutations
            .iter()
            .filter_map(|mutation| mutation.op.message_id())
            .map(|id| id.to_string())
            .collect();
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?))")
                .bind(serde_json::Value::from(named).to_string())
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?;
        Ok(Self {
            read: true,
            used_ids: used.iter().map(|id| rows::parse_text(id)).collect::<Result<_, _>>()?,
            existing: existing.iter().map(|id| rows::parse_text(id)).collect::<Result<_, _>>()?,
            ..Self::default()
        })
    }

    /// After `plan` was written for `mutation`: its id is used, what it created exists, and
    /// what it changed is read afresh next time.
    fn settled(&mut self, mutation: &Mutation, plan: Option<&Plan>) {
        self.used_ids.insert(mutation.id);
        let Some(plan) = plan else { return };
        for write in &plan.writes {
            match write {
                Write::Message(message) => {
                    self.existing.insert(message.id);
                }
                Write::Thread(thread) => {
                    self.threads.remove(&thread.id);
                }
                Write::Membership(_) | Write::Open(_) | Write::Describe(_) => self.access.clear(),
                _ => {}
            }
        }
        if !plan.grants.is_empty() {
            self.access.clear();
        }
    }
}

/// Applies or rejects the client's next mutation; recording the verdict and the client's mark is
/// the caller's.
async fn settle(
    conn: &mut SqliteConnection,
    author: &User,
    mutation: &Mutation,
    now: UnixMillis,
    heads: &mut BTreeMap<ScopeId, u64>,
    seen: &mut Seen,
) -> Result<Verdict, StoreError> {
    let targets = plan::targets(author.id, &mutation.op);
    let mut facts = read_facts(conn, author.id, mutation, &targets, now, seen).await?;
    match &mutation.op {
        MutationOp::OpenDirect { participants, .. } => {
            let mut named = participants.clone();
            named.push(author.id);
            facts.team_id = Some(crate::accounts::team_id(conn).await?);
            facts.participants = channels::people(conn, &named).await?;
        }
        MutationOp::CreateChannel { channel_id, .. } | MutationOp::UpdateChannel { channel_id, .. } => {
            facts.team_id = Some(crate::accounts::team_id(conn).await?);
            if let Some(name) = plan::asked_channel_name(&mutation.op) {
                facts.name_taken = channels::name_taken(conn, &name, *channel_id, author.id).await?;
            }
        }
        _ => {}
    }
    let status = match plan::plan(author, mutation, &facts) {
        Ok(plan) => {
            write_plan(conn, author.id, &plan, now, heads).await?;
            seen.settled(mutation, Some(&plan));
            MutationStatus::Applied
        }
        Err(rejection) => {
            tracing::debug!(code = rejection.code, seq = mutation.seq, "mutation rejected");
            seen.settled(mutation, None);
            rejection.into()
        }
    };
    // The id stays with the write that first used it; a reuse is recorded without it.
    let mutation_id = (!facts.mutation_id_used).then_some(mutation.id);
    Ok(Verdict { seq: mutation.seq, mutation_id, status })
}

/// What `mutation` by `author` needs known before it is planned, read in the caller's transaction;
/// what `seen` knows already is not asked again.
pub(crate) async fn read_facts(
    conn: &mut SqliteConnection,
    author: UserId,
    mutation: &Mutation,
    targets: &Targets,
    now: UnixMillis,
    seen: &mut Seen,
) -> Result<Facts, StoreError> {
    let (mutation_id, attachments) = (mutation.id, mutation.op.attachments());
    let mutation_id_used = if seen.read {
        seen.used_ids.contains(&mutation_id)
    } else {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mutation_results WHERE mutation_id = ?)")
            .bind(mutation_id.to_string())
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?
    };
    let message = match targets.message_id {
        // A message the push's read did not find, and that it did not create, does not exist.
        Some(id) if seen.read && !seen.existing.contains(&id) => None,
        Some(id) => messages::target(conn, id).await?,
        None => None,
    };
    let thread = match targets.thread(message.as_ref()) {
        Some(thread_id) => match seen.threads.get(&thread_id) {
            Some(thread) => Some(thread.clone()),
            None => {
                let thread = sqlx::query(
                    "SELECT id, channel_id, title, author_id, created_at FROM threads WHERE id = ?",
                )
                .bind(thread_id.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
                .as_ref()
                .map(rows::thread)
                .transpose()?;
                if let Some(thread) = &thread {
                    seen.threads.insert(thread.id, thread.clone());
                }
                thread
            }
        },
        None => None,
    };
    let channel = match targets.channel(thread.as_ref()) {
        Some(id) => match seen.access.get(&id) {
            Some(access) => access.clone(),
            None => {
                let access = channels::access(conn, id, author).await?;
                seen.access.insert(id, access.clone());
                access
            }
        },
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
            Write::Describe(channel) => channels::describe(conn, channel, head).await?,
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
