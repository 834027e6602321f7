//! What a mutation does, and whether its author may do it: one pure function every backend calls
//! inside the mutation's transaction, after reading the [`Facts`] named by [`targets`].
//!
//! A refusal here is final and is committed as `rejected` (sync.md §7), so the client's queue moves
//! on; it is never an HTTP error.

use crate::access::may_read_channel;
use meridian_domain::{
    Channel, ChannelId, DomainError, Message, MessageId, Reaction, Role, ScopeId, Thread, ThreadFollow,
    ThreadId, ThreadRead, Tombstone, User, validate,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus};

/// The mutation names this server can apply. A request naming anything else is refused as a
/// whole with `unknown_mutation`, before any of it is settled: a newer client must wait for an
/// upgraded server rather than have its writes rejected for good.
pub const KNOWN_MUTATIONS: &[&str] = &[
    "thread.create.v1",
    "message.create.v1",
    "message.edit.v1",
    "message.delete.v1",
    "reaction.set.v1",
    "thread.read.v1",
    "thread.follow.v1",
];

/// Whether this server can apply mutations named `name`.
pub fn understands(name: &str) -> bool {
    KNOWN_MUTATIONS.contains(&name)
}

/// The rows a backend reads before planning, in this order: the message, then the thread, then
/// the channel, then the author's read cursor of the thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    /// The message created or changed, if the mutation is about one.
    pub message_id: Option<MessageId>,
    /// The thread named by the mutation; `None` means the thread of the message.
    pub thread_id: Option<ThreadId>,
    /// The channel named by the mutation; `None` means the channel of the thread.
    pub channel_id: Option<ChannelId>,
    /// Whether to read the author's current read cursor of the thread ([`Facts::read_through_seq`]).
    pub read_cursor: bool,
}

impl Targets {
    /// The thread to read, once the message (if any) has been read.
    pub fn thread(&self, message: Option<&TargetMessage>) -> Option<ThreadId> {
        self.thread_id.or(message.map(|target| target.message.thread_id))
    }

    /// The channel to read, once the thread (if any) has been read.
    pub fn channel(&self, thread: Option<&Thread>) -> Option<ChannelId> {
        self.channel_id.or(thread.map(|thread| thread.channel_id))
    }
}

pub fn targets(op: &MutationOp) -> Targets {
    let message_id = op.message_id();
    let of_thread = |thread_id: ThreadId, read_cursor| Targets {
        message_id,
        thread_id: Some(thread_id),
        channel_id: None,
        read_cursor,
    };
    match op {
        MutationOp::CreateThread { thread_id, channel_id, .. } => {
            Targets { channel_id: Some(*channel_id), ..of_thread(*thread_id, false) }
        }
        MutationOp::CreateMessage { thread_id, .. } | MutationOp::FollowThread { thread_id, .. } => {
            of_thread(*thread_id, false)
        }
        MutationOp::ReadThread { thread_id, .. } => of_thread(*thread_id, true),
        MutationOp::EditMessage { .. }
        | MutationOp::DeleteMessage { .. }
        | MutationOp::SetReaction { .. } => {
            Targets { message_id, thread_id: None, channel_id: None, read_cursor: false }
        }
    }
}

/// The stored message a mutation names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetMessage {
    /// Its current post-image (for a deleted message, without content).
    pub message: Message,
    pub deleted: bool,
}

/// A channel as seen by the mutation's author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelAccess {
    pub channel: Channel,
    /// Whether the author is listed as a member (matters for private channels).
    pub is_member: bool,
}

/// What the backend read, in the mutation's transaction, about its [`Targets`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The mutation id is already recorded for another (client, seq): a cloned or corrupted outbox.
    pub mutation_id_used: bool,
    /// The target thread, if it exists.
    pub thread: Option<Thread>,
    /// The target channel, if it exists.
    pub channel: Option<ChannelAccess>,
    /// A message with the target message id exists already.
    pub message_exists: bool,
    /// That message, for mutations that change one.
    pub message: Option<TargetMessage>,
    /// The author's read cursor of the target thread, when [`Targets::read_cursor`] asked for it.
    pub read_through_seq: Option<u64>,
}

/// A row to write: the full post-image of an entity, which is also what the change log carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Thread(Thread),
    Message(Message),
    /// A new text for a message; the text it replaces is kept as a revision.
    Edit {
        message: Message,
        previous_body: String,
    },
    Reaction(Reaction),
    /// Deletes a message: its text, revisions and reactions are purged, and every earlier log
    /// entry about it is rewritten to the tombstone, so no device can bootstrap the content back.
    Delete(Tombstone),
    /// A read cursor or follow state: the change log of the author's own scope is its only store.
    Private(Entity),
}

impl Write {
    pub fn entity(&self) -> Entity {
        match self {
            Self::Thread(thread) => Entity::Thread(thread.clone()),
            Self::Message(message) | Self::Edit { message, .. } => Entity::Message(message.clone()),
            Self::Reaction(reaction) => Entity::Reaction(reaction.clone()),
            Self::Delete(tombstone) => Entity::MessageDeleted(tombstone.clone()),
            Self::Private(entity) => entity.clone(),
        }
    }
}

/// An accepted mutation: the writes, in order, each taking the next seq of `scope`. No writes
/// means the mutation is applied but changes nothing (a read cursor that would move back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub scope: ScopeId,
    pub writes: Vec<Write>,
}

/// A final refusal with a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<DomainError> for Rejection {
    fn from(error: DomainError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<Rejection> for MutationStatus {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected { code: rejection.code.to_owned(), message: rejection.message }
    }
}

/// Decides what `mutation` by `author` does, given `facts`.
pub fn plan(author: &User, mutation: &Mutation, facts: &Facts) -> Result<Plan, Rejection> {
    if facts.mutation_id_used {
        return Err(Rejection::new("id_conflict", "this mutation id was already used by another write"));
    }
    match &mutation.op {
        MutationOp::CreateThread { thread_id, title, message_id, body, .. } => {
            let channel = readable_channel(author, facts)?;
            let title = validate::thread_title(title)?;
            let body = validate::message_body(body)?;
            if facts.thread.is_some() || facts.message_exists {
                return Err(id_conflict());
            }
            let thread = Thread {
                id: *thread_id,
                channel_id: channel.id,
                title,
                author_id: author.id,
                created_at: mutation.client_ts,
            };
            let opening = Message {
                id: *message_id,
                thread_id: *thread_id,
                channel_id: channel.id,
                author_id: author.id,
                body,
                created_at: mutation.client_ts,
            };
            Ok(Plan {
                scope: ScopeId::Channel(channel.id),
                writes: vec![Write::Thread(thread), Write::Message(opening)],
            })
        }
        MutationOp::CreateMessage { message_id, thread_id, body } => {
            // A thread in a channel the author cannot read does not exist for them.
            let thread = facts.thread.as_ref().ok_or_else(thread_not_found)?;
            let channel = readable_channel(author, facts).map_err(|_| thread_not_found())?;
            if channel.id != thread.channel_id {
                return Err(thread_not_found());
            }
            let body = validate::message_body(body)?;
            if facts.message_exists {
                return Err(id_conflict());
            }
            let reply = Message {
                id: *message_id,
                thread_id: *thread_id,
                channel_id: channel.id,
                author_id: author.id,
                body,
                created_at: mutation.client_ts,
            };
            Ok(Plan { scope: ScopeId::Channel(channel.id), writes: vec![Write::Message(reply)] })
        }
        MutationOp::EditMessage { body, .. } => {
            let (target, channel) = live_message(author, facts)?;
            if target.author_id != author.id {
                return Err(Rejection::new("forbidden", "only its author may edit a message"));
            }
            let body = validate::message_body(body)?;
            let edited = Message { body, ..target.clone() };
            Ok(Plan {
                scope: ScopeId::Channel(channel.id),
                writes: vec![Write::Edit { message: edited, previous_body: target.body.clone() }],
            })
        }
        MutationOp::DeleteMessage { .. } => {
            let (target, channel) = live_message(author, facts)?;
            let moderator = matches!(author.role, Role::Owner | Role::Admin);
            if target.author_id != author.id && !moderator {
                return Err(Rejection::new("forbidden", "only its author or an admin may delete a message"));
            }
            let tombstone = Tombstone {
                id: target.id,
                thread_id: target.thread_id,
                channel_id: target.channel_id,
                deleted_by: author.id,
            };
            Ok(Plan { scope: ScopeId::Channel(channel.id), writes: vec![Write::Delete(tombstone)] })
        }
        MutationOp::SetReaction { message_id, emoji, present } => {
            let (_, channel) = live_message(author, facts)?;
            let reaction = Reaction {
                message_id: *message_id,
                user_id: author.id,
                emoji: validate::reaction_emoji(emoji)?,
                present: *present,
            };
            Ok(Plan { scope: ScopeId::Channel(channel.id), writes: vec![Write::Reaction(reaction)] })
        }
        MutationOp::ReadThread { thread_id, read_through_seq } => {
            readable_thread(author, facts)?;
            let scope = ScopeId::User(author.id);
            // A max-register: a mark at or below the current cursor is applied as a no-op.
            if facts.read_through_seq.is_some_and(|current| current >= *read_through_seq) {
                return Ok(Plan { scope, writes: Vec::new() });
            }
            let read =
                ThreadRead { thread_id: *thread_id, user_id: author.id, read_through_seq: *read_through_seq };
            Ok(Plan { scope, writes: vec![Write::Private(Entity::ThreadRead(read))] })
        }
        MutationOp::FollowThread { thread_id, state } => {
            readable_thread(author, facts)?;
            let follow = ThreadFollow { thread_id: *thread_id, user_id: author.id, state: *state };
            Ok(Plan {
                scope: ScopeId::User(author.id),
                writes: vec![Write::Private(Entity::ThreadFollow(follow))],
            })
        }
    }
}

/// The target thread if the author may read its channel; otherwise it does not exist for them.
fn readable_thread<'a>(author: &User, facts: &'a Facts) -> Result<&'a Thread, Rejection> {
    let thread = facts.thread.as_ref().ok_or_else(thread_not_found)?;
    let channel = readable_channel(author, facts).map_err(|_| thread_not_found())?;
    if channel.id != thread.channel_id {
        return Err(thread_not_found());
    }
    Ok(thread)
}

/// The target message and its channel, if the author may read it and it is not deleted. A
/// deleted message refuses every later write: the tombstone dominates (sync.md §10).
fn live_message<'a>(author: &User, facts: &'a Facts) -> Result<(&'a Message, &'a Channel), Rejection> {
    let target = facts.message.as_ref().ok_or_else(message_not_found)?;
    let channel = readable_channel(author, facts).map_err(|_| message_not_found())?;
    if channel.id != target.message.channel_id {
        return Err(message_not_found());
    }
    if target.deleted {
        return Err(Rejection::new("target_deleted", "that message was deleted"));
    }
    Ok((&target.message, channel))
}

fn message_not_found() -> Rejection {
    Rejection::new("message_not_found", "no such message")
}

/// The target channel if the author may read it. Absent and unreadable channels get the same
/// answer: a private channel's existence is itself private (sync.md §4.1).
fn readable_channel<'a>(author: &User, facts: &'a Facts) -> Result<&'a Channel, Rejection> {
    match &facts.channel {
        Some(access) if may_read_channel(&access.channel, author.role, access.is_member) => {
            Ok(&access.channel)
        }
        _ => Err(Rejection::new("channel_not_found", "no such channel")),
    }
}

fn thread_not_found() -> Rejection {
    Rejection::new("thread_not_found", "no such thread")
}

fn id_conflict() -> Rejection {
    Rejection::new("id_conflict", "an entity with this id already exists")
}

#[cfg(test)]
mod tests;
