//! What a mutation does, and whether its author may do it: one pure function every backend calls
//! inside the mutation's transaction, after reading the [`Facts`] named by [`targets`].
//!
//! A refusal here is final and is committed as `rejected` (sync.md §7), so the client's queue moves
//! on; it is never an HTTP error.

use crate::access::may_read_channel;
use meridian_domain::{
    Channel, ChannelId, DomainError, Message, MessageId, ScopeId, Thread, ThreadId, User, validate,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus};

/// The mutation names this server can apply. A request naming anything else is refused as a
/// whole with `unknown_mutation`, before any of it is settled: a newer client must wait for an
/// upgraded server rather than have its writes rejected for good.
pub const KNOWN_MUTATIONS: &[&str] = &["thread.create.v1", "message.create.v1"];

/// Whether this server can apply mutations named `name`.
pub fn understands(name: &str) -> bool {
    KNOWN_MUTATIONS.contains(&name)
}

/// The rows a backend reads before planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    /// The thread created or replied to.
    pub thread_id: ThreadId,
    /// The message created.
    pub message_id: MessageId,
    /// The channel named by the mutation; `None` means the channel of the thread.
    pub channel_id: Option<ChannelId>,
}

impl Targets {
    /// The channel to read, once the thread (if any) has been read.
    pub fn channel(&self, thread: Option<&Thread>) -> Option<ChannelId> {
        self.channel_id.or(thread.map(|thread| thread.channel_id))
    }
}

pub fn targets(op: &MutationOp) -> Targets {
    match op {
        MutationOp::CreateThread { thread_id, channel_id, message_id, .. } => {
            Targets { thread_id: *thread_id, message_id: *message_id, channel_id: Some(*channel_id) }
        }
        MutationOp::CreateMessage { message_id, thread_id, .. } => {
            Targets { thread_id: *thread_id, message_id: *message_id, channel_id: None }
        }
    }
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
}

/// A row to write: the full post-image of an entity, which is also what the change log carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Thread(Thread),
    Message(Message),
}

impl Write {
    pub fn entity(&self) -> Entity {
        match self {
            Self::Thread(thread) => Entity::Thread(thread.clone()),
            Self::Message(message) => Entity::Message(message.clone()),
        }
    }
}

/// An accepted mutation: the writes, in order, each taking the next seq of `scope`.
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
    }
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
