//! What a mutation does, and whether its author may do it: one pure function every backend calls
//! inside the mutation's transaction, after reading the [`Facts`] named by [`targets`].
//!
//! A refusal here is final and is committed as `rejected` (sync.md §7), so the client's queue moves
//! on; it is never an HTTP error.

use crate::access::may_read_channel;
use crate::blobs::AttachedBlob;
use meridian_domain::permissions::MembershipChange;
use meridian_domain::{
    Attachment, Channel, ChannelId, DomainError, Grant, Membership, Message, MessageId, Reaction, Role,
    ScheduledMessage, ScopeId, TeamId, Thread, ThreadId, Tombstone, UnixMillis, User, UserId, validate,
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
    "channel.create.v1",
    "channel.update.v1",
    "channel.archive.v1",
    "channel.join.v1",
    "channel.leave.v1",
    "channel.member.add.v1",
    "channel.member.remove.v1",
    "dm.open.v1",
    "thread.read.v1",
    "thread.follow.v1",
    "message.schedule.v1",
    "message.unschedule.v1",
    "message.nudge.v1",
    "write.withdrawn.v1",
];

/// Whether this server can apply mutations named `name`.
pub fn understands(name: &str) -> bool {
    KNOWN_MUTATIONS.contains(&name)
}

/// The rows a backend reads before planning, in this order: the message, then the thread, then
/// the channel, then the subject of a membership change or the author's read cursor of the thread,
/// and the scheduled reply with the message's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    /// The message created or changed, if the mutation is about one.
    pub message_id: Option<MessageId>,
    /// The thread named by the mutation; `None` means the thread of the message.
    pub thread_id: Option<ThreadId>,
    /// The channel named by the mutation; `None` means the channel of the thread.
    pub channel_id: Option<ChannelId>,
    /// The person who joins or leaves, for membership changes; whose reply a nudge awaits.
    /// Backends read them with their membership of the target channel.
    pub subject: Option<UserId>,
    /// Whether to read the author's current read cursor of the thread ([`Facts::read_through_seq`]).
    pub read_cursor: bool,
    /// Whether to read the scheduled reply with the message's id ([`Facts::scheduled`]).
    pub scheduled: bool,
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

/// What `op` by `author` names.
pub fn targets(author: UserId, op: &MutationOp) -> Targets {
    let message_id = op.message_id();
    let none = Targets {
        message_id,
        thread_id: None,
        channel_id: None,
        subject: None,
        read_cursor: false,
        scheduled: false,
    };
    if let Some((channel_id, subject)) = op.membership(author) {
        return Targets { channel_id: Some(channel_id), subject: Some(subject), ..none };
    }
    match op {
        MutationOp::CreateThread { thread_id, channel_id, .. } => {
            Targets { thread_id: Some(*thread_id), channel_id: Some(*channel_id), ..none }
        }
        MutationOp::CreateMessage { thread_id, .. } | MutationOp::FollowThread { thread_id, .. } => {
            Targets { thread_id: Some(*thread_id), ..none }
        }
        MutationOp::ReadThread { thread_id, .. } => {
            Targets { thread_id: Some(*thread_id), read_cursor: true, ..none }
        }
        MutationOp::OpenDirect { channel_id, .. }
        | MutationOp::CreateChannel { channel_id, .. }
        | MutationOp::UpdateChannel { channel_id, .. }
        | MutationOp::ArchiveChannel { channel_id, .. } => Targets { channel_id: Some(*channel_id), ..none },
        MutationOp::ScheduleMessage { thread_id, .. } => {
            Targets { thread_id: Some(*thread_id), scheduled: true, ..none }
        }
        MutationOp::CancelScheduled { .. } => Targets { scheduled: true, ..none },
        MutationOp::SetNudge { addressee_id, .. } => Targets { subject: Some(*addressee_id), ..none },
        _ => none,
    }
}

/// The person a membership change or a nudge is about, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub user: User,
    /// Whether they are in the channel's member list now.
    pub is_member: bool,
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
    /// Whether the author was ever granted this channel: someone who lost it may be told so
    /// (`not_a_member`), since its existence is no secret to them.
    pub once_granted: bool,
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
    /// For each file the mutation attaches, in order, the blob stored under its id, if any.
    pub blobs: Vec<Option<AttachedBlob>>,
    /// The subject of a membership change, if such a person exists.
    pub subject: Option<Subject>,
    /// For opening a direct conversation or creating a channel: the team. For a direct
    /// conversation, also the named participants (the author included) that exist.
    pub team_id: Option<TeamId>,
    pub participants: Vec<User>,
    /// The author's read cursor of the target thread, when [`Targets::read_cursor`] asked for it.
    pub read_through_seq: Option<u64>,
    /// The scheduled reply with the target message id, whoever wrote it, when
    /// [`Targets::scheduled`] asked for it.
    pub scheduled: Option<ScheduledMessage>,
    /// For creating or renaming a channel: whether another channel the author may read already
    /// has the name [`asked_channel_name`] gives.
    pub name_taken: bool,
    /// The server's clock in the mutation's transaction.
    pub now: UnixMillis,
}

/// The name a mutation that creates or renames a channel asks for, as it would be stored, for the
/// backend to look up among the other channels ([`Facts::name_taken`]); `None` for other
/// mutations, for a channel keeping its name, and for names that will be refused.
pub fn asked_channel_name(op: &MutationOp) -> Option<String> {
    match op {
        MutationOp::CreateChannel { name, .. } | MutationOp::UpdateChannel { name: Some(name), .. } => {
            validate::channel_name(name).ok()
        }
        _ => None,
    }
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
    /// Puts a person in a channel's member list or takes them out of it.
    Membership(Membership),
    /// Creates a channel and its scope; the first write of the plan that has it.
    Open(Channel),
    /// A channel's new name or topic.
    Describe(Channel),
    /// A read cursor, follow state or nudge: the change log of the author's own scope is its only
    /// store.
    Private(Entity),
    /// A scheduled reply and where it stands, kept where the landing task finds it as well as in
    /// its author's own scope.
    Schedule(ScheduledMessage),
}

impl Write {
    pub fn entity(&self) -> Entity {
        match self {
            Self::Thread(thread) => Entity::Thread(thread.clone()),
            Self::Message(message) | Self::Edit { message, .. } => Entity::Message(message.clone()),
            Self::Reaction(reaction) => Entity::Reaction(reaction.clone()),
            Self::Delete(tombstone) => Entity::MessageDeleted(tombstone.clone()),
            Self::Membership(membership) => Entity::Membership(membership.clone()),
            Self::Open(channel) | Self::Describe(channel) => Entity::Channel(channel.clone()),
            Self::Private(entity) => entity.clone(),
            Self::Schedule(reply) => Entity::Scheduled(reply.clone()),
        }
    }
}

/// An accepted mutation: the writes, in order, each taking the next seq of `scope`, then the
/// grants, each taking the next seq of its person's own scope, then what is shared with another
/// scope, all in the same transaction (sync.md §5.2, §5.4). An accepted plan without writes
/// changes nothing (a repeated join, or a read cursor that would move back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub scope: ScopeId,
    pub writes: Vec<Write>,
    pub grants: Vec<(UserId, Grant)>,
    /// Entries for other scopes' logs only (no rows): a follow shared with its channel.
    pub shared: Vec<(ScopeId, Entity)>,
}

impl Plan {
    fn new(scope: ScopeId, writes: Vec<Write>) -> Self {
        Self { scope, writes, grants: Vec::new(), shared: Vec::new() }
    }
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
        MutationOp::CreateThread { thread_id, title, message_id, body, attachments, urgent, .. } => {
            let channel = readable_channel(author, facts)?;
            open_for_writing(channel)?;
            let title = validate::thread_title(title)?;
            let body = validate::message_body(body)?;
            let attachments = attached_files(channel, attachments, &facts.blobs)?;
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
                attachments,
                urgent: *urgent,
            };
            Ok(Plan::new(ScopeId::Channel(channel.id), vec![Write::Thread(thread), Write::Message(opening)]))
        }
        MutationOp::CreateMessage { message_id, thread_id, body, attachments, urgent } => {
            let draft = ReplyDraft { message_id: *message_id, thread_id: *thread_id, body, attachments };
            let reply = new_reply(author, facts, draft, mutation.client_ts, *urgent)?;
            Ok(Plan::new(ScopeId::Channel(reply.channel_id), vec![Write::Message(reply)]))
        }
        MutationOp::ScheduleMessage { message_id, thread_id, body, attachments, urgent, deliver_at } => {
            let draft = ReplyDraft { message_id: *message_id, thread_id: *thread_id, body, attachments };
            schedule_reply(author, facts, draft, mutation.client_ts, *urgent, *deliver_at)
        }
        MutationOp::CancelScheduled { .. } => withdraw_scheduled(author, facts),
        MutationOp::EditMessage { body, .. } => {
            let (target, channel) = live_message(author, facts)?;
            if target.author_id != author.id {
                return Err(Rejection::new("forbidden", "only its author may edit a message"));
            }
            open_for_writing(channel)?;
            let body = validate::message_body(body)?;
            let edited = Message { body, ..target.clone() };
            Ok(Plan::new(
                ScopeId::Channel(channel.id),
                vec![Write::Edit { message: edited, previous_body: target.body.clone() }],
            ))
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
            Ok(Plan::new(ScopeId::Channel(channel.id), vec![Write::Delete(tombstone)]))
        }
        MutationOp::SetReaction { message_id, emoji, present } => {
            let (_, channel) = live_message(author, facts)?;
            open_for_writing(channel)?;
            let reaction = Reaction {
                message_id: *message_id,
                user_id: author.id,
                emoji: validate::reaction_emoji(emoji)?,
                present: *present,
            };
            Ok(Plan::new(ScopeId::Channel(channel.id), vec![Write::Reaction(reaction)]))
        }
        MutationOp::CreateChannel { channel_id, name, topic, private } => {
            let asked = NewChannel { id: *channel_id, name, topic, private: *private };
            create_channel(author, asked, facts)
        }
        MutationOp::UpdateChannel { name, topic, .. } => {
            describe_channel(author, facts, name.as_deref(), topic.as_deref())
        }
        MutationOp::ArchiveChannel { archived, .. } => archive_channel(author, facts, *archived),
        MutationOp::JoinChannel { .. } => change_membership(author, facts, MembershipChange::Join),
        MutationOp::LeaveChannel { .. } => change_membership(author, facts, MembershipChange::Leave),
        MutationOp::AddMember { .. } => change_membership(author, facts, MembershipChange::Add),
        MutationOp::RemoveMember { .. } => change_membership(author, facts, MembershipChange::Remove),
        MutationOp::OpenDirect { channel_id, participants } => {
            open_direct(author, *channel_id, participants, facts)
        }
        MutationOp::ReadThread { thread_id, read_through_seq } => {
            read_thread(author, facts, *thread_id, *read_through_seq)
        }
        MutationOp::FollowThread { thread_id, state } => follow_thread(author, facts, *thread_id, *state),
        MutationOp::SetNudge { message_id, addressee_id, due_at } => {
            set_nudge(author, facts, *message_id, *addressee_id, *due_at)
        }
        // Nothing to write: the author's own scope stands for where it would have gone.
        MutationOp::Withdrawn {} => Ok(Plan::new(ScopeId::User(author.id), Vec::new())),
    }
}

/// What a reply is made of before it is checked.
struct ReplyDraft<'a> {
    message_id: MessageId,
    thread_id: ThreadId,
    body: &'a str,
    attachments: &'a [Attachment],
}

/// A reply by `author` in the target thread, if they may write there and its content is valid.
fn new_reply(
    author: &User,
    facts: &Facts,
    draft: ReplyDraft<'_>,
    created_at: UnixMillis,
    urgent: bool,
) -> Result<Message, Rejection> {
    // A thread in a channel the author cannot read does not exist for them.
    let thread = facts.thread.as_ref().ok_or_else(thread_not_found)?;
    let channel =
        readable_channel(author, facts).map_err(|refusal| hide_absent(refusal, thread_not_found))?;
    if channel.id != thread.channel_id {
        return Err(thread_not_found());
    }
    open_for_writing(channel)?;
    let body = validate::message_body(draft.body)?;
    let attachments = attached_files(channel, draft.attachments, &facts.blobs)?;
    if facts.message_exists {
        return Err(id_conflict());
    }
    Ok(Message {
        id: draft.message_id,
        thread_id: draft.thread_id,
        channel_id: channel.id,
        author_id: author.id,
        body,
        created_at,
        attachments,
        urgent,
    })
}

/// Nothing new is written in an archived channel, and nothing in it changes (sync.md §10 names the
/// refusal `scope_archived`): no thread, reply, edit, reaction (set or taken back), new name or
/// nudge. Deleting stays possible, so what should not be kept can still go; membership, read
/// marks and follows are about people, not the channel's content, and stay possible too.
fn open_for_writing(channel: &Channel) -> Result<(), Rejection> {
    if channel.archived {
        return Err(Rejection::new("scope_archived", format!("#{} is archived", channel.name)));
    }
    Ok(())
}

fn not_a_member() -> Rejection {
    Rejection::new("not_a_member", "you are no longer in that conversation")
}

fn channel_not_found() -> Rejection {
    Rejection::new("channel_not_found", "no such channel")
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
    let channel =
        readable_channel(author, facts).map_err(|refusal| hide_absent(refusal, message_not_found))?;
    if channel.id != target.message.channel_id {
        return Err(message_not_found());
    }
    if target.deleted {
        return Err(Rejection::new("target_deleted", "that message was deleted"));
    }
    Ok((&target.message, channel))
}

/// The files of a new message, if each is a complete blob of this team that the author uploaded
/// and is described as its manifest says. Otherwise `blob_missing`: the author's client uploads
/// before it sends, so a missing blob means the upload must be run again.
fn attached_files(
    channel: &Channel,
    attachments: &[Attachment],
    blobs: &[Option<AttachedBlob>],
) -> Result<Vec<Attachment>, Rejection> {
    validate::attachment_count(attachments.len())?;
    let mut files = Vec::with_capacity(attachments.len());
    for (index, attachment) in attachments.iter().enumerate() {
        let usable = blobs.get(index).and_then(Option::as_ref).filter(|stored| {
            stored.blob.id == attachment.blob_id
                && stored.blob.complete
                && stored.blob.team_id == channel.team_id
                && stored.completed_by_author
        });
        let Some(stored) = usable else {
            return Err(Rejection::new(
                "blob_missing",
                format!("the file {} is not uploaded; upload it again", attachment.blob_id),
            ));
        };
        let manifest = &stored.blob.manifest;
        if attachment.size != manifest.size || attachment.mime != manifest.mime {
            return Err(Rejection::new(
                "invalid_attachment",
                format!("the size or media type given for {} differs from its upload", attachment.blob_id),
            ));
        }
        files.push(Attachment { name: validate::file_name(&attachment.name)?, ..attachment.clone() });
    }
    Ok(files)
}

/// Answers an unreadable channel's thread or message as absent, unless the author is to be told
/// they lost the channel.
fn hide_absent(refusal: Rejection, absent: fn() -> Rejection) -> Rejection {
    if refusal.code == "not_a_member" { refusal } else { absent() }
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
        Some(access) if access.once_granted => Err(not_a_member()),
        _ => Err(channel_not_found()),
    }
}

fn thread_not_found() -> Rejection {
    Rejection::new("thread_not_found", "no such thread")
}

fn id_conflict() -> Rejection {
    Rejection::new("id_conflict", "an entity with this id already exists")
}

mod channels;
mod landing;
mod membership;
mod own_scope;
#[cfg(test)]
mod tests;

use channels::{NewChannel, archive_channel, create_channel, describe_channel};
pub use landing::{Landing, land, landing};
use membership::{change_membership, open_direct};
use own_scope::{follow_thread, read_thread, schedule_reply, set_nudge, withdraw_scheduled};
