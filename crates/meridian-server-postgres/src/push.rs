//! Settling pushed mutations exactly once (sync.md §7): one write transaction holds the client's
//! high-water mark, the mutations' effects, their change-log entries and their recorded results,
//! so after any crash either all of them exist or none do.
//!
//! A push commits once per run of consecutive mutations to the same scope, so a batch of posts
//! to one channel costs one commit (one WAL flush) rather than one per post; a busy channel
//! serializes on its scope row, so this flush and the statements run under that lock were the
//! limit. Locks are always taken client row, then scope row, then message rows. A transaction
//! holds one scope row, except for a membership change or a new direct conversation, which
//! settles in a transaction of its own and then locks the people's own scopes it grants or
//! revokes, in id order; a follow, which also tells the thread's channel, settles alone too, its
//! channel's scope locked before the author's own: pushes on several instances cannot deadlock.

use crate::PgStore;
use crate::blobs;
use crate::channels;
use crate::messages;
use crate::rows::{self, db, to_db};
use crate::scheduled;
use crate::writes::write_plan;
use meridian_domain::{
    ChannelId, ClientId, MessageId, MutationId, ScopeId, Thread, ThreadId, UnixMillis, User, UserId,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationResult, MutationStatus};
use meridian_server_store::plan::{self, ChannelAccess, Facts, Write};
use meridian_server_store::sequence::{
    SeqCheck, check_seq, recalled_verdict, recorded_verdict, repeated_verdict,
};
use meridian_server_store::{PushOutcome, StoreError};
use sqlx::{PgConnection, Postgres, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};

pub(crate) async fn apply(
    store: &PgStore,
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
    let ids: Vec<String> = mutations.iter().map(|mutation| mutation.id.to_string()).collect();
    let mut settling = Settling::begin(store, author.id, client, now).await?;
    // Ids recorded before this push; ids this push records are added as it goes.
    let mut used_ids = recorded_ids(&mut settling.tx, &ids).await?;
    // Messages that exist among those this push creates; ones it creates are added as it goes.
    // A create whose id is not here needs no read of its own.
    let mut existing = existing_messages(&mut settling.tx, mutations).await?;
    for mutation in mutations {
        let scope = settling.scope_of(&mutation.op).await?;
        let alone = writes_several_scopes(&mutation.op);
        let other_scope = settling.scope.is_some_and(|held| scope.is_some_and(|wanted| wanted != held));
        if settling.closed || (settling.scope.is_some() && alone) || other_scope {
            settling.commit(client).await?;
            settling = Settling::begin(store, author.id, client, now).await?;
        }
        let check = check_seq(settling.last, mutation.seq);
        let status = match check {
            SeqCheck::Duplicate => settling.earlier_verdict(client, mutation.seq).await?,
            SeqCheck::Gap => MutationStatus::Gap,
            SeqCheck::Next => {
                if let (None, Some(wanted)) = (settling.scope, scope) {
                    lock_scope(&mut settling.tx, wanted).await?;
                    settling.scope = Some(wanted);
                }
                let used = used_ids.contains(&mutation.id);
                let status = settling.settle(author, mutation, used, &existing, now, &mut heads).await?;
                used_ids.insert(mutation.id);
                existing.extend(mutation.op.message_id());
                settling.closed = alone;
                status
            }
        };
        outcome.last_mutation_seq = settling.last;
        outcome.results.push(MutationResult { seq: mutation.seq, status });
        if check == SeqCheck::Gap {
            break;
        }
    }
    settling.commit(client).await?;
    outcome.heads = heads.into_iter().collect();
    Ok(outcome)
}

/// A result to record at commit, with the mutation id it keeps (none for a reused id).
struct Recorded {
    seq: u64,
    mutation_id: Option<String>,
    status: MutationStatus,
}

/// One open write transaction of a push: the client row is claimed, at most one scope row is
/// locked, and what was settled so far waits to be recorded at commit.
pub(crate) struct Settling {
    tx: Transaction<'static, Postgres>,
    /// Whose push this is: read cursors and follow states go to their own scope.
    author: UserId,
    /// The scope whose row this transaction has locked.
    scope: Option<ScopeId>,
    /// The client's high-water mark, counting what this transaction settled.
    last: u64,
    claimed: u64,
    now: UnixMillis,
    recorded: Vec<Recorded>,
    /// Read once per transaction: a batch of replies names the same thread and channel.
    threads: HashMap<ThreadId, Thread>,
    channels: HashMap<ChannelId, Option<ChannelAccess>>,
    /// Settled a mutation that must be alone in its transaction; the next one starts another.
    closed: bool,
}

impl Settling {
    async fn begin(
        store: &PgStore,
        user: UserId,
        client: ClientId,
        now: UnixMillis,
    ) -> Result<Self, StoreError> {
        let mut tx = store.write().await?;
        let last = claim_client(&mut tx, user, client, now).await?;
        Ok(Self {
            tx,
            author: user,
            scope: None,
            last,
            claimed: last,
            now,
            recorded: Vec::new(),
            threads: HashMap::new(),
            channels: HashMap::new(),
            closed: false,
        })
    }

    /// A transaction that settles no client's mutations, for a scheduled reply landing in `tx`.
    pub(crate) fn without_client(
        tx: Transaction<'static, Postgres>,
        author: UserId,
        now: UnixMillis,
    ) -> Self {
        Self {
            tx,
            author,
            scope: None,
            last: 0,
            claimed: 0,
            now,
            recorded: Vec::new(),
            threads: HashMap::new(),
            channels: HashMap::new(),
            closed: false,
        }
    }

    pub(crate) fn transaction(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub(crate) async fn commit_alone(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(db)
    }

    /// Records the settled results and the client's new mark, then commits.
    async fn commit(mut self, client: ClientId) -> Result<(), StoreError> {
        if self.last != self.claimed {
            sqlx::query("UPDATE clients SET last_mutation_seq = $1 WHERE id = $2")
                .bind(to_db(self.last))
                .bind(client.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        record_results(&mut self.tx, client, &self.recorded, self.now).await?;
        self.tx.commit().await.map_err(db)
    }

    /// The scope a mutation would write, read without locking anything: threads and messages
    /// never move between channels. `None` when its target does not exist (it will be refused).
    async fn scope_of(&mut self, op: &MutationOp) -> Result<Option<ScopeId>, StoreError> {
        let channel = match op {
            MutationOp::CreateThread { channel_id, .. } => Some(*channel_id),
            // A follow also tells the thread's channel: its scope is locked first, then the
            // author's own, the order a membership change takes too.
            MutationOp::CreateMessage { thread_id, .. } | MutationOp::FollowThread { thread_id, .. } => {
                self.thread(*thread_id).await?.map(|t| t.channel_id)
            }
            MutationOp::ReadThread { .. }
            | MutationOp::ScheduleMessage { .. }
            | MutationOp::CancelScheduled { .. }
            | MutationOp::SetNudge { .. }
            | MutationOp::Withdrawn {} => {
                return Ok(Some(ScopeId::User(self.author)));
            }
            MutationOp::JoinChannel { channel_id }
            | MutationOp::LeaveChannel { channel_id }
            | MutationOp::AddMember { channel_id, .. }
            | MutationOp::RemoveMember { channel_id, .. }
            | MutationOp::OpenDirect { channel_id, .. }
            | MutationOp::CreateChannel { channel_id, .. }
            | MutationOp::UpdateChannel { channel_id, .. }
            | MutationOp::ArchiveChannel { channel_id, .. } => Some(*channel_id),
            MutationOp::EditMessage { message_id, .. }
            | MutationOp::DeleteMessage { message_id }
            | MutationOp::SetReaction { message_id, .. } => {
                let channel: Option<String> =
                    sqlx::query_scalar("SELECT channel_id FROM messages WHERE id = $1")
                        .bind(message_id.to_string())
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                channel
                    .map(|id| id.parse().map_err(|_| StoreError::Backend(format!("bad channel id {id}"))))
                    .transpose()?
            }
        };
        Ok(channel.map(ScopeId::Channel))
    }

    async fn thread(&mut self, id: ThreadId) -> Result<Option<Thread>, StoreError> {
        if let Some(thread) = self.threads.get(&id) {
            return Ok(Some(thread.clone()));
        }
        let thread =
            sqlx::query("SELECT id, channel_id, title, author_id, created_at FROM threads WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db)?
                .as_ref()
                .map(rows::thread)
                .transpose()?;
        if let Some(thread) = &thread {
            self.threads.insert(id, thread.clone());
        }
        Ok(thread)
    }

    async fn channel(&mut self, id: ChannelId, author: UserId) -> Result<Option<ChannelAccess>, StoreError> {
        if let Some(access) = self.channels.get(&id) {
            return Ok(access.clone());
        }
        let access = channels::access(&mut self.tx, id, author).await?;
        self.channels.insert(id, access.clone());
        Ok(access)
    }

    /// The answer a retried mutation gets: `duplicate` if it was applied, or the refusal it got
    /// the first time, so a client whose first answer was lost still learns it was refused.
    async fn earlier_verdict(&mut self, client: ClientId, seq: u64) -> Result<MutationStatus, StoreError> {
        if let Some(recorded) = self.recorded.iter().find(|recorded| recorded.seq == seq) {
            return Ok(repeated_verdict(&recorded.status));
        }
        earlier_verdict(&mut self.tx, client, seq).await
    }

    /// Applies or rejects the client's next mutation; its result is recorded at commit.
    async fn settle(
        &mut self,
        author: &User,
        mutation: &Mutation,
        mutation_id_used: bool,
        existing: &HashSet<MessageId>,
        now: UnixMillis,
        heads: &mut BTreeMap<ScopeId, u64>,
    ) -> Result<MutationStatus, StoreError> {
        let mut facts = self.read_facts(author.id, mutation, mutation_id_used, existing).await?;
        match &mutation.op {
            MutationOp::OpenDirect { participants, .. } => {
                let mut named = participants.clone();
                named.push(author.id);
                facts.team_id = Some(crate::accounts::team_id(&mut self.tx).await?);
                facts.participants = channels::people(&mut self.tx, &named).await?;
            }
            MutationOp::CreateChannel { channel_id, .. } | MutationOp::UpdateChannel { channel_id, .. } => {
                facts.team_id = Some(crate::accounts::team_id(&mut self.tx).await?);
                if let Some(name) = plan::asked_channel_name(&mutation.op) {
                    // Channels of one name are in different scopes, whose locks do not meet (a
                    // new one's has no row yet): writes that take a name are serialized on the
                    // name instead, so the second sees the first.
                    channels::lock_name(&mut self.tx, &name).await?;
                    facts.name_taken =
                        channels::name_taken(&mut self.tx, &name, *channel_id, author.id).await?;
                }
            }
            _ => {}
        }
        let status = match plan::plan(author, mutation, &facts) {
            Ok(plan) => {
                write_plan(&mut self.tx, author.id, &plan, now, heads).await?;
                for write in &plan.writes {
                    match write {
                        Write::Thread(thread) => {
                            self.threads.insert(thread.id, thread.clone());
                        }
                        // Who may read a channel, or what it is called, changed: read it afresh.
                        Write::Membership(_) | Write::Open(_) | Write::Describe(_) => self.channels.clear(),
                        _ => {}
                    }
                }
                MutationStatus::Applied
            }
            Err(rejection) => {
                tracing::debug!(code = rejection.code, seq = mutation.seq, "mutation rejected");
                rejection.into()
            }
        };
        self.last = mutation.seq;
        // The id stays with the write that first used it; a reuse is recorded without it.
        let mutation_id = (!mutation_id_used).then(|| mutation.id.to_string());
        self.recorded.push(Recorded { seq: mutation.seq, mutation_id, status: status.clone() });
        Ok(status)
    }

    /// What `mutation` needs known before it is planned. A message it creates is looked up only
    /// when `existing` names it.
    pub(crate) async fn read_facts(
        &mut self,
        author: UserId,
        mutation: &Mutation,
        mutation_id_used: bool,
        existing: &HashSet<MessageId>,
    ) -> Result<Facts, StoreError> {
        let targets = plan::targets(author, &mutation.op);
        let creates =
            matches!(mutation.op, MutationOp::CreateThread { .. } | MutationOp::CreateMessage { .. });
        let message = match targets.message_id {
            Some(id) if !creates || existing.contains(&id) => messages::target(&mut self.tx, id).await?,
            _ => None,
        };
        let thread = match targets.thread(message.as_ref()) {
            Some(thread_id) => self.thread(thread_id).await?,
            None => None,
        };
        let channel = match targets.channel(thread.as_ref()) {
            Some(id) => self.channel(id, author).await?,
            None => None,
        };
        let blobs = blobs::attached(&mut self.tx, author, mutation.op.attachments()).await?;
        let read_through_seq = match (targets.read_cursor, targets.thread_id) {
            (true, Some(thread_id)) => read_cursor(&mut self.tx, author, thread_id).await?,
            _ => None,
        };
        let subject = match (targets.subject, targets.channel(thread.as_ref())) {
            (Some(user), Some(channel)) => channels::subject(&mut self.tx, channel, user).await?,
            _ => None,
        };
        let scheduled = match (targets.scheduled, targets.message_id) {
            (true, Some(id)) => scheduled::target(&mut self.tx, id).await?,
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
            now: self.now,
            ..Facts::default()
        })
    }
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

/// Which of `ids` are already recorded for some mutation.
async fn recorded_ids(conn: &mut PgConnection, ids: &[String]) -> Result<HashSet<MutationId>, StoreError> {
    let found: Vec<String> =
        sqlx::query_scalar("SELECT mutation_id FROM mutation_results WHERE mutation_id = ANY($1)")
            .bind(ids)
            .fetch_all(conn)
            .await
            .map_err(db)?;
    found
        .iter()
        .map(|id| id.parse().map_err(|_| StoreError::Backend(format!("bad mutation id {id}"))))
        .collect()
}

/// Which of the messages `mutations` create exist already (a reused id, or a retry).
async fn existing_messages(
    conn: &mut PgConnection,
    mutations: &[Mutation],
) -> Result<HashSet<MessageId>, StoreError> {
    let created: Vec<String> = mutations
        .iter()
        .filter(|mutation| {
            matches!(mutation.op, MutationOp::CreateThread { .. } | MutationOp::CreateMessage { .. })
        })
        .filter_map(|mutation| mutation.op.message_id().map(|id| id.to_string()))
        .collect();
    let found: Vec<String> = sqlx::query_scalar("SELECT id FROM messages WHERE id = ANY($1)")
        .bind(created)
        .fetch_all(conn)
        .await
        .map_err(db)?;
    found
        .iter()
        .map(|id| id.parse().map_err(|_| StoreError::Backend(format!("bad message id {id}"))))
        .collect()
}

/// Takes the scope row's lock before the mutation reads the rows it will change, so every
/// writer of a scope's rows holds the scope first.
pub(crate) async fn lock_scope(conn: &mut PgConnection, scope: ScopeId) -> Result<(), StoreError> {
    sqlx::query("SELECT 1 FROM scopes WHERE id = $1 FOR UPDATE")
        .bind(scope.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Inserts the results of one transaction in one statement.
async fn record_results(
    conn: &mut PgConnection,
    client: ClientId,
    recorded: &[Recorded],
    now: UnixMillis,
) -> Result<(), StoreError> {
    if recorded.is_empty() {
        return Ok(());
    }
    let mut seqs = Vec::with_capacity(recorded.len());
    let mut ids = Vec::with_capacity(recorded.len());
    let mut labels = Vec::with_capacity(recorded.len());
    let mut results = Vec::with_capacity(recorded.len());
    for entry in recorded {
        let (label, result) = recorded_verdict(&entry.status)?;
        seqs.push(to_db(entry.seq));
        ids.push(entry.mutation_id.clone());
        labels.push(label);
        results.push(result);
    }
    sqlx::query(
        "INSERT INTO mutation_results (client_id, mutation_seq, mutation_id, status, result, created_at)
         SELECT $1, r.seq, r.id, r.status, r.result, $6
         FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[]) AS r (seq, id, status, result)",
    )
    .bind(client.to_string())
    .bind(seqs)
    .bind(ids)
    .bind(labels)
    .bind(results)
    .bind(now)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
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
    recalled_verdict(client, seq, row)
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

/// Whether a mutation writes to people's own scopes besides its own (grants and revocations),
/// and so settles alone in its transaction.
fn writes_several_scopes(op: &MutationOp) -> bool {
    matches!(
        op,
        MutationOp::JoinChannel { .. }
            | MutationOp::LeaveChannel { .. }
            | MutationOp::AddMember { .. }
            | MutationOp::RemoveMember { .. }
            | MutationOp::OpenDirect { .. }
            | MutationOp::CreateChannel { .. }
            | MutationOp::FollowThread { .. }
    )
}
