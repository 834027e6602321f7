//! Whole-store reads: everything this device holds, for backups and headless tools, and the
//! outbox with its history.

use crate::reads::{ChannelRecord, MessageRecord, ThreadRecord, UserRecord};
use crate::rows::{id, seq_from_sql};
use crate::{LocalStore, MessageRow, Result, StoreError};
use meridian_domain::{Channel, Team, Thread, User};
use meridian_protocol::Mutation;

/// Where an outbox entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (or re-sent).
    Queued,
    /// Settled by the server and applied (or found to be a retry of an applied write).
    Applied,
    /// Refused by the server for good.
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Applied => "applied",
            Self::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "queued" => Ok(Self::Queued),
            "applied" => Ok(Self::Applied),
            "rejected" => Ok(Self::Rejected),
            other => Err(StoreError::Corrupt(format!("unknown outbox state {other:?}"))),
        }
    }
}

/// One write in the outbox, with what happened to it so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub mutation: Mutation,
    pub state: OutboxState,
    /// Failed attempts to send it.
    pub attempts: u64,
    /// Why the last attempt failed, or why the server refused it.
    pub last_error: Option<String>,
}

/// Everything in the local store, each list in a stable order (ids are time-ordered UUIDv7s).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreSnapshot {
    pub team: Option<Team>,
    pub users: Vec<User>,
    pub channels: Vec<Channel>,
    pub threads: Vec<Thread>,
    /// Confirmed messages in server order, then those still pending or rejected.
    pub messages: Vec<MessageRow>,
    /// Writes not yet settled by the server.
    pub queued: Vec<OutboxEntry>,
}

impl LocalStore {
    /// Everything this device holds, read in one snapshot so the parts agree with each other.
    pub async fn snapshot(&self) -> Result<StoreSnapshot> {
        let mut tx = self.pool.begin().await?;
        let team: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM teams LIMIT 1").fetch_optional(&mut *tx).await?;
        let team =
            team.map(|(team_id, name)| Ok::<_, StoreError>(Team { id: id(&team_id)?, name })).transpose()?;
        let users = sqlx::query_as::<_, UserRecord>(
            "SELECT id, display_name, time_zone, role, working_hours, time_off FROM users ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(UserRecord::into_user)
        .collect::<Result<_>>()?;
        let channels = sqlx::query_as::<_, ChannelRecord>(
            "SELECT id, team_id, name, topic, private, direct, archived, archived_by, archived_at FROM channels ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(ChannelRecord::into_channel)
        .collect::<Result<_>>()?;
        let threads = sqlx::query_as::<_, ThreadRecord>(
            "SELECT id, channel_id, title, author_id, created_at FROM threads ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(ThreadRecord::into_thread)
        .collect::<Result<_>>()?;
        // `edited` is left out: a device that first saw a message after its edit cannot know it
        // was edited, so the flag is display-only and not part of what devices must agree on.
        let messages = sqlx::query_as::<_, MessageRecord>(
            "SELECT id, thread_id, channel_id, author_id, body, created_at, attachments, state, error, FALSE AS edited,
                    urgent
             FROM messages WHERE state != 'deleting' ORDER BY server_seq IS NULL, channel_id, server_seq, created_at, id",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(MessageRecord::into_row)
        .collect::<Result<_>>()?;
        let queued = outbox_entries(&mut tx, Some(OutboxState::Queued)).await?;
        tx.commit().await?;
        Ok(StoreSnapshot { team, users, channels, threads, messages, queued })
    }

    /// The outbox in write order: every entry, or only those in `state`.
    pub async fn outbox(&self, state: Option<OutboxState>) -> Result<Vec<OutboxEntry>> {
        let mut conn = self.pool.acquire().await?;
        outbox_entries(&mut conn, state).await
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRecord {
    seq: i64,
    mutation_id: String,
    op: String,
    client_ts: i64,
    state: String,
    attempts: i64,
    last_error: Option<String>,
}

async fn outbox_entries(
    conn: &mut sqlx::SqliteConnection,
    state: Option<OutboxState>,
) -> Result<Vec<OutboxEntry>> {
    let rows: Vec<OutboxRecord> = sqlx::query_as(
        "SELECT seq, mutation_id, op, client_ts, state, attempts, last_error FROM outbox
         WHERE ?1 IS NULL OR state = ?1 ORDER BY seq",
    )
    .bind(state.map(OutboxState::as_str))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|OutboxRecord { seq, mutation_id, op, client_ts, state, attempts, last_error }| {
            Ok(OutboxEntry {
                mutation: Mutation {
                    seq: seq_from_sql(seq),
                    id: id(&mutation_id)?,
                    op: crate::outbox::stored_op(seq, &op)?,
                    client_ts,
                },
                state: OutboxState::parse(&state)?,
                attempts: seq_from_sql(attempts),
                last_error,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeliveryState;
    use meridian_domain::{ChannelId, MessageId, ThreadId, UserId};
    use meridian_domain::{Message, ScopeId, TeamId};
    use meridian_protocol::{
        Change, Entity, MutationOp, MutationResult, MutationStatus, PullResponse, ScopeChanges,
    };
    use std::collections::BTreeMap;

    /// A store holding a team, one person, one channel and a confirmed thread from the server.
    async fn synced_store() -> (LocalStore, User, Channel, Thread) {
        let store = LocalStore::open_in_memory().await.expect("open");
        let team = Team { id: TeamId::new(), name: "Acme".into() };
        let me = User {
            id: UserId::new(),
            display_name: "Ana".into(),
            time_zone: "Europe/Berlin".into(),
            role: meridian_domain::Role::Owner,
            working_hours: Default::default(),
            time_off: Default::default(),
        };
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: "general".into(),
            topic: String::new(),
            private: false,
            direct: false,
            archived: false,
            archival: None,
        };
        let thread = Thread {
            id: ThreadId::new(),
            channel_id: channel.id,
            title: "Hello".into(),
            author_id: me.id,
            created_at: 5,
        };
        let opening = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            channel_id: channel.id,
            author_id: me.id,
            body: "first".into(),
            created_at: 5,
            attachments: Vec::new(),
            urgent: false,
        };
        let page = |entities: Vec<Entity>| ScopeChanges {
            from: 1,
            to: entities.len() as u64,
            more: false,
            changes: entities
                .into_iter()
                .zip(1..)
                .map(|(entity, seq)| Change { seq, server_ts: 10, entity })
                .collect(),
        };
        let response = PullResponse {
            last_mutation_seq: 0,
            scopes: BTreeMap::from([
                (
                    ScopeId::Team(team.id),
                    page(vec![
                        Entity::Team(team.clone()),
                        Entity::User(me.clone()),
                        Entity::Channel(channel.clone()),
                    ]),
                ),
                (
                    ScopeId::Channel(channel.id),
                    page(vec![Entity::Thread(thread.clone()), Entity::Message(opening)]),
                ),
            ]),
            ..PullResponse::default()
        };
        store.apply_pull(&response, me.id).await.expect("apply");
        (store, me, channel, thread)
    }

    #[tokio::test]
    async fn snapshot_holds_synced_rows_and_only_queued_writes() {
        let (store, me, channel, thread) = synced_store().await;
        let sent = store.post_reply(me.id, thread.id, "will be applied", 20).await.expect("reply");
        let waiting = store.post_reply(me.id, thread.id, "still waiting", 30).await.expect("reply");
        store.settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }]).await.expect("settle");

        let snapshot = store.snapshot().await.expect("snapshot");
        assert_eq!(snapshot.team.map(|team| team.name), Some("Acme".to_owned()));
        assert_eq!(snapshot.users, vec![me]);
        assert_eq!(snapshot.channels, vec![channel]);
        assert_eq!(snapshot.threads, vec![thread]);
        let bodies: Vec<_> = snapshot.messages.iter().map(|row| row.message.body.as_str()).collect();
        assert_eq!(bodies, ["first", "will be applied", "still waiting"]);
        assert_eq!(snapshot.messages[0].state, DeliveryState::Sent);
        assert_eq!(snapshot.messages[2].state, DeliveryState::Pending);

        assert_eq!(snapshot.queued.len(), 1, "the applied write is no longer queued");
        let queued = &snapshot.queued[0];
        assert_eq!((queued.mutation.seq, queued.state), (2, OutboxState::Queued));
        assert!(matches!(
            &queued.mutation.op,
            MutationOp::CreateMessage { message_id, .. } if *message_id == waiting.id
        ));
        assert_ne!(sent.id, waiting.id);
    }

    #[tokio::test]
    async fn outbox_lists_history_with_failures_and_refusals() {
        let (store, me, _, thread) = synced_store().await;
        store.post_reply(me.id, thread.id, "one", 20).await.expect("reply");
        store.post_reply(me.id, thread.id, "two", 21).await.expect("reply");
        store.record_send_failure("connection refused").await.expect("failure");
        let refusal =
            MutationStatus::Rejected { code: "thread_not_found".into(), message: "no such thread".into() };
        store.settle(&[MutationResult { seq: 1, status: refusal }]).await.expect("settle");

        let all = store.outbox(None).await.expect("outbox");
        let states: Vec<_> =
            all.iter().map(|entry| (entry.mutation.seq, entry.state, entry.attempts)).collect();
        assert_eq!(states, [(1, OutboxState::Rejected, 1), (2, OutboxState::Queued, 1)]);
        assert_eq!(all[0].last_error.as_deref(), Some("no such thread (thread_not_found)"));
        assert_eq!(all[1].last_error.as_deref(), Some("connection refused"));

        let queued = store.outbox(Some(OutboxState::Queued)).await.expect("queued");
        assert_eq!(queued.iter().map(|entry| entry.mutation.seq).collect::<Vec<_>>(), [2]);
        assert!(store.outbox(Some(OutboxState::Applied)).await.expect("applied").is_empty());
    }
}
