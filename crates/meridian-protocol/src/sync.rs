//! Sync: clients push mutations from their outbox and pull changes by per-scope cursor.

use meridian_domain::{
    Channel, ClientId, FollowState, Message, MessageId, MutationId, Reaction, ScopeId, Team, Thread,
    ThreadFollow, ThreadId, ThreadRead, Tombstone, UnixMillis, User,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One queued write. `seq` counts up from 1 per client without gaps; `id` is unique forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    pub seq: u64,
    pub id: MutationId,
    #[serde(flatten)]
    pub op: MutationOp,
    /// The author's device clock when the write was made (display only).
    pub client_ts: UnixMillis,
}

/// What a mutation does, named and versioned on the wire as `{"name": ..., "args": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "name", content = "args")]
pub enum MutationOp {
    /// Start a thread: a title and its opening post.
    #[serde(rename = "thread.create.v1")]
    CreateThread {
        thread_id: ThreadId,
        channel_id: meridian_domain::ChannelId,
        title: String,
        message_id: MessageId,
        body: String,
    },
    /// Reply in a thread.
    #[serde(rename = "message.create.v1")]
    CreateMessage { message_id: MessageId, thread_id: ThreadId, body: String },
    /// Replace one's own message's text; the server keeps the earlier text as a revision.
    #[serde(rename = "message.edit.v1")]
    EditMessage { message_id: MessageId, body: String },
    /// Delete a message for everyone: its text, revisions and reactions are purged.
    #[serde(rename = "message.delete.v1")]
    DeleteMessage { message_id: MessageId },
    /// Add (`present: true`) or remove one's reaction to a message.
    #[serde(rename = "reaction.set.v1")]
    SetReaction { message_id: MessageId, emoji: String, present: bool },
    /// Mark a thread read through the message at `read_through_seq` (its channel-scope seq). The
    /// server keeps the highest value it has seen, so a late or replayed mark never unreads.
    #[serde(rename = "thread.read.v1")]
    ReadThread { thread_id: ThreadId, read_through_seq: u64 },
    /// Follow, mute or go back to the implicit rule for a thread's replies.
    #[serde(rename = "thread.follow.v1")]
    FollowThread { thread_id: ThreadId, state: FollowState },
}

impl MutationOp {
    /// The message this mutation writes or changes, if it is about one message.
    pub fn message_id(&self) -> Option<MessageId> {
        match self {
            Self::CreateThread { message_id, .. }
            | Self::CreateMessage { message_id, .. }
            | Self::EditMessage { message_id, .. }
            | Self::DeleteMessage { message_id }
            | Self::SetReaction { message_id, .. } => Some(*message_id),
            Self::ReadThread { .. } | Self::FollowThread { .. } => None,
        }
    }
}

/// `POST /v1/sync/push`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// How the server settled one mutation. Domain refusals are answered here, not as HTTP errors, so
/// one bad write never blocks the writes queued behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MutationStatus {
    /// Applied now.
    Applied,
    /// Applied earlier; this was a retry.
    Duplicate,
    /// Refused for good; the client keeps the content and shows why.
    Rejected { code: String, message: String },
    /// `seq` skipped ahead of what the server has applied; resend from `last_mutation_seq + 1`.
    Gap,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    #[serde(flatten)]
    pub status: MutationStatus,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The highest `seq` of this client the server has settled.
    pub last_mutation_seq: u64,
    pub results: Vec<MutationResult>,
}

/// `POST /v1/sync/pull`: the cursors the client holds; scopes it lacks are sent from the start.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullRequest {
    pub client_id: ClientId,
    #[serde(default)]
    pub cursors: BTreeMap<ScopeId, u64>,
    /// Upper bound on changes per scope in this answer; the server may send fewer.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub last_mutation_seq: u64,
    /// One entry per scope the user may read that has changes after its cursor.
    pub scopes: BTreeMap<ScopeId, ScopeChanges>,
}

impl PullResponse {
    /// Whether any scope has more changes than this answer carried.
    pub fn has_more(&self) -> bool {
        self.scopes.values().any(|scope| scope.more)
    }
}

/// Changes of one scope, contiguous from the cursor + 1 up to `to`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeChanges {
    pub from: u64,
    pub to: u64,
    pub more: bool,
    pub changes: Vec<Change>,
}

/// One entry of a scope's log, carrying the full post-image of what changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: u64,
    /// When the server committed it.
    pub server_ts: UnixMillis,
    #[serde(flatten)]
    pub entity: Entity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "entity", content = "data", rename_all = "snake_case")]
pub enum Entity {
    Team(Team),
    User(User),
    Channel(Channel),
    Thread(Thread),
    Message(Message),
    Reaction(Reaction),
    /// A deleted message; it dominates every earlier and later write to that message.
    MessageDeleted(Tombstone),
    /// How far the reader has read a thread; only in their own scope.
    ThreadRead(ThreadRead),
    /// The reader's explicit follow state of a thread; only in their own scope.
    ThreadFollow(ThreadFollow),
}

/// Frames the server sends on `/v1/live`. Pokes are hints: the client answers with a pull.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveFrame {
    Poke { scope: ScopeId, head_seq: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::ChannelId;

    #[test]
    fn mutations_carry_their_versioned_name() {
        let mutation = Mutation {
            seq: 3,
            id: MutationId::new(),
            op: MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id: ThreadId::new(),
                body: "hi".into(),
            },
            client_ts: 42,
        };
        let json = serde_json::to_value(&mutation).expect("serialize");
        assert_eq!(json["name"], "message.create.v1");
        assert_eq!(json["args"]["body"], "hi");
        assert_eq!(serde_json::from_value::<Mutation>(json).expect("deserialize"), mutation);
    }

    #[test]
    fn unknown_mutation_names_do_not_parse() {
        let json = serde_json::json!({
            "seq": 1, "id": MutationId::new(), "client_ts": 0,
            "name": "message.create.v99", "args": {}
        });
        assert!(serde_json::from_value::<Mutation>(json).is_err());
    }

    #[test]
    fn statuses_are_flat_on_the_wire() {
        let result = MutationResult {
            seq: 7,
            status: MutationStatus::Rejected { code: "forbidden".into(), message: "no".into() },
        };
        let json = serde_json::to_value(&result).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({"seq": 7, "status": "rejected", "code": "forbidden", "message": "no"})
        );
    }

    #[test]
    fn pull_cursors_are_keyed_by_scope_text() {
        let channel = ScopeId::Channel(ChannelId::new());
        let request =
            PullRequest { client_id: ClientId::new(), cursors: BTreeMap::from([(channel, 12)]), limit: None };
        let json = serde_json::to_value(&request).expect("serialize");
        assert_eq!(json["cursors"][channel.to_string()], 12);
    }
}
