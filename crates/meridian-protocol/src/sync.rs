//! Sync: clients push mutations from their outbox and pull changes by per-scope cursor.

use meridian_domain::{
    Attachment, Channel, ChannelId, ClientId, FollowState, Grant, Membership, Message, MessageId, MutationId,
    Nudge, Reaction, ScheduledMessage, ScopeId, Team, Thread, ThreadFollow, ThreadId, ThreadRead, Tombstone,
    UnixMillis, User, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
        channel_id: ChannelId,
        title: String,
        message_id: MessageId,
        body: String,
        /// Files on the opening post; absent from older clients' writes.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
        /// Notify now, through recipients' off-hours; absent (false) from older clients' writes.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        urgent: bool,
    },
    /// Reply in a thread.
    #[serde(rename = "message.create.v1")]
    CreateMessage {
        message_id: MessageId,
        thread_id: ThreadId,
        body: String,
        /// Files on the reply; absent from older clients' writes.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
        /// Notify now, through recipients' off-hours; absent (false) from older clients' writes.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        urgent: bool,
    },
    /// Replace one's own message's text; the server keeps the earlier text as a revision.
    #[serde(rename = "message.edit.v1")]
    EditMessage { message_id: MessageId, body: String },
    /// Delete a message for everyone: its text, revisions and reactions are purged.
    #[serde(rename = "message.delete.v1")]
    DeleteMessage { message_id: MessageId },
    /// Add (`present: true`) or remove one's reaction to a message.
    #[serde(rename = "reaction.set.v1")]
    SetReaction { message_id: MessageId, emoji: String, present: bool },
    /// Create a channel, public or private, with its author as its first member. Its name is
    /// refused (`name_taken`) when a channel the author can see already has it.
    #[serde(rename = "channel.create.v1")]
    CreateChannel {
        channel_id: ChannelId,
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        topic: String,
        private: bool,
    },
    /// Give a channel a new name or topic (a field left out stays as it is). Whoever may write in
    /// it, guests aside, may; a direct conversation keeps its name. A name another channel in
    /// the author's sight has is refused (`name_taken`).
    #[serde(rename = "channel.update.v1")]
    UpdateChannel {
        channel_id: ChannelId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// Archive a channel (`archived: true`) or bring it back. Admins and owners may; a direct
    /// conversation is never archived. While archived, new threads, replies, edits, reactions
    /// and new names in it are refused (`scope_archived`); its past stays readable. Asking for
    /// the state it is in is accepted and changes nothing.
    #[serde(rename = "channel.archive.v1")]
    ArchiveChannel { channel_id: ChannelId, archived: bool },
    /// Join a public channel.
    #[serde(rename = "channel.join.v1")]
    JoinChannel { channel_id: ChannelId },
    /// Leave a channel.
    #[serde(rename = "channel.leave.v1")]
    LeaveChannel { channel_id: ChannelId },
    /// Add someone else to a channel.
    #[serde(rename = "channel.member.add.v1")]
    AddMember { channel_id: ChannelId, user_id: UserId },
    /// Remove someone else from a channel.
    #[serde(rename = "channel.member.remove.v1")]
    RemoveMember { channel_id: ChannelId, user_id: UserId },
    /// Open a direct conversation with `participants` (the author is one whether listed or not).
    /// `channel_id` must be `meridian_domain::direct_channel_id` of the team and everyone in it,
    /// so opening it again, from any participant's device, names the same conversation.
    #[serde(rename = "dm.open.v1")]
    OpenDirect { channel_id: ChannelId, participants: Vec<UserId> },
    /// Mark a thread read through the message at `read_through_seq` (its channel-scope seq). The
    /// server keeps the highest value it has seen, so a late or replayed mark never unreads.
    #[serde(rename = "thread.read.v1")]
    ReadThread { thread_id: ThreadId, read_through_seq: u64 },
    /// Follow, mute or go back to the implicit rule for a thread's replies.
    #[serde(rename = "thread.follow.v1")]
    FollowThread { thread_id: ThreadId, state: FollowState },
    /// A reply the server keeps and posts to the thread at `deliver_at`, as the author, whether or
    /// not any of the author's devices is running then. Until it lands it lives in the author's
    /// own scope ([`Entity::Scheduled`]); it lands with `message_id`.
    #[serde(rename = "message.schedule.v1")]
    ScheduleMessage {
        message_id: MessageId,
        thread_id: ThreadId,
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        urgent: bool,
        deliver_at: UnixMillis,
    },
    /// Withdraws a scheduled reply that has not landed: a pending one, which then never lands,
    /// or a failed one, which every device of the author then stops showing. Withdrawing one
    /// already withdrawn is applied and changes nothing; one that landed is refused (`not_pending`).
    /// Servers before failed ones could be withdrawn refuse those with `not_pending` too.
    #[serde(rename = "message.unschedule.v1")]
    CancelScheduled { message_id: MessageId },
    /// "Nudge me at their end of day": remind the author at `due_at` if `addressee_id` has not
    /// written in the thread since `message_id`, one of the author's own messages. Kept in the
    /// author's own scope only ([`Entity::Nudge`]), so each of their devices reminds them and
    /// nobody else learns of it; setting it again replaces it.
    #[serde(rename = "message.nudge.v1")]
    SetNudge { message_id: MessageId, addressee_id: UserId, due_at: UnixMillis },
    /// A write its author took back while it waited on their device. It stands in the outbox in
    /// that write's place and changes nothing: the server answers it as applied, so the device's
    /// writes stay numbered without a gap. Sent under the taken-back write's mutation id, it is a
    /// duplicate of that write if the server had it already, which then stands.
    #[serde(rename = "write.withdrawn.v1")]
    Withdrawn {},
}

impl MutationOp {
    /// The files a new message attaches (none for other mutations).
    pub fn attachments(&self) -> &[Attachment] {
        match self {
            Self::CreateThread { attachments, .. }
            | Self::CreateMessage { attachments, .. }
            | Self::ScheduleMessage { attachments, .. } => attachments,
            _ => &[],
        }
    }

    /// The message this mutation writes or changes, if it is about a message.
    pub fn message_id(&self) -> Option<MessageId> {
        match self {
            Self::CreateThread { message_id, .. }
            | Self::CreateMessage { message_id, .. }
            | Self::EditMessage { message_id, .. }
            | Self::DeleteMessage { message_id }
            | Self::SetReaction { message_id, .. }
            | Self::ScheduleMessage { message_id, .. }
            | Self::CancelScheduled { message_id }
            | Self::SetNudge { message_id, .. } => Some(*message_id),
            Self::CreateChannel { .. }
            | Self::UpdateChannel { .. }
            | Self::ArchiveChannel { .. }
            | Self::JoinChannel { .. }
            | Self::LeaveChannel { .. }
            | Self::AddMember { .. }
            | Self::RemoveMember { .. }
            | Self::OpenDirect { .. }
            | Self::ReadThread { .. }
            | Self::FollowThread { .. }
            | Self::Withdrawn {} => None,
        }
    }

    /// For a membership change: the channel, whose member list changes, and the person who joins
    /// or leaves it (`author` for joining and leaving).
    pub fn membership(&self, author: UserId) -> Option<(ChannelId, UserId)> {
        match self {
            Self::JoinChannel { channel_id } | Self::LeaveChannel { channel_id } => {
                Some((*channel_id, author))
            }
            Self::AddMember { channel_id, user_id } | Self::RemoveMember { channel_id, user_id } => {
                Some((*channel_id, *user_id))
            }
            _ => None,
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
    /// Scopes without a cursor here are named in [`PullResponse::needs_snapshot`] rather than
    /// replayed from their first change: the device bootstraps them from a snapshot (sync.md §8.3).
    #[serde(default)]
    pub snapshot_new_scopes: bool,
    /// Long-poll: when nothing is new, the server holds the answer up to this long, until a scope
    /// the reader may read advances (sync.md §9, for when the WebSocket is unavailable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub last_mutation_seq: u64,
    /// One entry per scope the user may read that has changes after its cursor.
    pub scopes: BTreeMap<ScopeId, ScopeChanges>,
    /// Readable scopes the device holds no cursor for; it should fetch their snapshots.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub needs_snapshot: BTreeSet<ScopeId>,
    /// Scopes whose cursor the server cannot continue from (ahead of the scope's head, as after a
    /// server restore, or below the horizon its log was cut at): the device drops what it synced
    /// of them, keeps its outbox, and bootstraps them again (sync.md §8.5).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub reset_required: BTreeSet<ScopeId>,
    /// Scopes the request held a cursor for that the user may not read (any more): the client
    /// purges them. A cursor for such a scope is never answered with its data (sync.md §5.4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_scopes: Vec<ScopeId>,
}

impl PullResponse {
    /// Whether any scope has more changes than this answer carried.
    pub fn has_more(&self) -> bool {
        self.scopes.values().any(|scope| scope.more)
    }

    /// Whether the answer asks nothing of the device: no changes, snapshots or resets.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty() && self.needs_snapshot.is_empty() && self.reset_required.is_empty()
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
    /// Someone joined or left the channel whose scope this is.
    Membership(Membership),
    /// In a user's own scope: a scope they may now read, or may no longer read.
    Grant(Grant),
    /// How far the reader has read a thread; only in their own scope.
    ThreadRead(ThreadRead),
    /// The reader's explicit follow state of a thread; only in their own scope.
    ThreadFollow(ThreadFollow),
    /// Whether someone follows a thread by hand, in its channel's scope, so the channel knows who
    /// to hand the thread over to. Only `following` or `none`: muting stays private, as none.
    #[serde(rename = "thread_follower")]
    Follower(ThreadFollow),
    /// One of the reader's scheduled replies and where it stands; only in their own scope.
    #[serde(rename = "scheduled_message")]
    Scheduled(ScheduledMessage),
    /// One of the reader's nudges about their own messages; only in their own scope.
    Nudge(Nudge),
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

    #[test]
    fn mutations_carry_their_versioned_name() {
        let mutation = Mutation {
            seq: 3,
            id: MutationId::new(),
            op: MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id: ThreadId::new(),
                body: "hi".into(),
                attachments: Vec::new(),
                urgent: false,
            },
            client_ts: 42,
        };
        let json = serde_json::to_value(&mutation).expect("serialize");
        assert_eq!(json["name"], "message.create.v1");
        assert_eq!(json["args"]["body"], "hi");
        assert_eq!(serde_json::from_value::<Mutation>(json).expect("deserialize"), mutation);
    }

    #[test]
    fn replies_without_attachments_read_as_before() {
        let json = serde_json::json!({
            "seq": 1, "id": MutationId::new(), "client_ts": 0, "name": "message.create.v1",
            "args": { "message_id": MessageId::new(), "thread_id": ThreadId::new(), "body": "old" }
        });
        let mutation: Mutation = serde_json::from_value(json.clone()).expect("an older client's reply");
        assert!(mutation.op.attachments().is_empty());
        assert_eq!(serde_json::to_value(&mutation).expect("serialize"), json, "written as before");
    }

    #[test]
    fn urgent_is_on_the_wire_only_when_set() {
        let reply = |urgent| MutationOp::CreateMessage {
            message_id: MessageId::new(),
            thread_id: ThreadId::new(),
            body: "hi".into(),
            attachments: Vec::new(),
            urgent,
        };
        let plain = serde_json::to_value(reply(false)).expect("serialize");
        assert!(plain["args"].get("urgent").is_none(), "older servers read it as before");
        let urgent = serde_json::to_value(reply(true)).expect("serialize");
        assert_eq!(urgent["args"]["urgent"], true);
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
        let request = PullRequest {
            client_id: ClientId::new(),
            cursors: BTreeMap::from([(channel, 12)]),
            ..PullRequest::default()
        };
        let json = serde_json::to_value(&request).expect("serialize");
        assert_eq!(json["cursors"][channel.to_string()], 12);
    }
}
