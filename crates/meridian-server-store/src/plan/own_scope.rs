//! Writes to the author's own scope, which nobody else reads: read cursors, follow states,
//! scheduled replies and nudges. Each still needs a thread or message the author may read.

use super::{
    Facts, Plan, Rejection, ReplyDraft, Write, id_conflict, live_message, new_reply, open_for_writing,
    readable_thread,
};
use meridian_domain::{
    FollowState, MessageId, Nudge, ScheduledMessage, ScheduledState, ScopeId, ThreadFollow, ThreadId,
    ThreadRead, UnixMillis, User, UserId, nudge, schedule,
};
use meridian_protocol::Entity;

/// A reply kept to land at `deliver_at`, checked now as the reply itself would be.
pub(super) fn schedule_reply(
    author: &User,
    facts: &Facts,
    draft: ReplyDraft<'_>,
    created_at: UnixMillis,
    urgent: bool,
    deliver_at: UnixMillis,
) -> Result<Plan, Rejection> {
    let reply = new_reply(author, facts, draft, created_at, urgent)?;
    if facts.scheduled.is_some() {
        return Err(id_conflict());
    }
    let scheduled = ScheduledMessage {
        message_id: reply.id,
        thread_id: reply.thread_id,
        channel_id: reply.channel_id,
        author_id: author.id,
        body: reply.body,
        attachments: reply.attachments,
        urgent: reply.urgent,
        deliver_at: schedule::deliver_at(deliver_at, facts.now)?,
        state: ScheduledState::Pending,
    };
    Ok(Plan::new(ScopeId::User(author.id), vec![Write::Schedule(scheduled)]))
}

/// Withdraws one of the author's scheduled replies that has not landed: a pending one, so it
/// never lands, or a failed one the author put away or sent by hand, so every one of their devices
/// drops it. Withdrawing it again changes nothing, so two devices putting the same reply away
/// both succeed.
pub(super) fn withdraw_scheduled(author: &User, facts: &Facts) -> Result<Plan, Rejection> {
    // Someone else's scheduled reply does not exist for the author.
    let scheduled = facts
        .scheduled
        .as_ref()
        .filter(|scheduled| scheduled.author_id == author.id)
        .ok_or_else(|| Rejection::new("scheduled_not_found", "no such scheduled reply"))?;
    let scope = ScopeId::User(author.id);
    match scheduled.state {
        ScheduledState::Pending | ScheduledState::Failed { .. } => {
            let cancelled = ScheduledMessage { state: ScheduledState::Cancelled, ..scheduled.clone() };
            Ok(Plan::new(scope, vec![Write::Schedule(cancelled)]))
        }
        ScheduledState::Cancelled => Ok(Plan::new(scope, Vec::new())),
        ScheduledState::Sent { .. } => Err(Rejection::new("not_pending", "that reply has already landed")),
    }
}

/// Moves the author's read cursor of a thread forward; a max-register, so a mark at or below the
/// current cursor is applied as a no-op.
pub(super) fn read_thread(
    author: &User,
    facts: &Facts,
    thread_id: ThreadId,
    read_through_seq: u64,
) -> Result<Plan, Rejection> {
    readable_thread(author, facts)?;
    let scope = ScopeId::User(author.id);
    if facts.read_through_seq.is_some_and(|current| current >= read_through_seq) {
        return Ok(Plan::new(scope, Vec::new()));
    }
    let read = ThreadRead { thread_id, user_id: author.id, read_through_seq };
    Ok(Plan::new(scope, vec![Write::Private(Entity::ThreadRead(read))]))
}

/// Sets the author's follow state of a thread, last writer wins, and tells the thread's channel
/// whether they follow it: a muted thread reads there as not followed.
pub(super) fn follow_thread(
    author: &User,
    facts: &Facts,
    thread_id: ThreadId,
    state: FollowState,
) -> Result<Plan, Rejection> {
    let thread = readable_thread(author, facts)?;
    let follow = ThreadFollow { thread_id, user_id: author.id, state };
    let mut plan = Plan::new(ScopeId::User(author.id), vec![Write::Private(Entity::ThreadFollow(follow))]);
    let shown = match state {
        FollowState::Following => FollowState::Following,
        FollowState::None | FollowState::Muted => FollowState::None,
    };
    let follower = ThreadFollow { state: shown, ..follow };
    plan.shared.push((ScopeId::Channel(thread.channel_id), Entity::Follower(follower)));
    Ok(plan)
}

/// Keeps a nudge about the author's own message, awaiting a reply from someone else in the team;
/// setting it again replaces it. The addressee is read as the mutation's subject.
pub(super) fn set_nudge(
    author: &User,
    facts: &Facts,
    message_id: MessageId,
    addressee_id: UserId,
    due_at: UnixMillis,
) -> Result<Plan, Rejection> {
    let (awaited, channel) = live_message(author, facts)?;
    if awaited.author_id != author.id {
        return Err(Rejection::new("forbidden", "a nudge can only be kept about one's own message"));
    }
    // No reply can come in an archived channel, so there is nothing to await.
    open_for_writing(channel)?;
    let addressee = facts
        .subject
        .as_ref()
        .filter(|subject| subject.user.id == addressee_id)
        .ok_or_else(|| Rejection::new("user_not_found", "no such person"))?;
    if addressee.user.id == author.id {
        return Err(Rejection::new("invalid_addressee", "a nudge awaits someone else's reply"));
    }
    let nudge = Nudge {
        message_id,
        thread_id: awaited.thread_id,
        author_id: author.id,
        addressee_id,
        due_at: nudge::due_at(due_at, facts.now)?,
    };
    Ok(Plan::new(ScopeId::User(author.id), vec![Write::Private(Entity::Nudge(nudge))]))
}
