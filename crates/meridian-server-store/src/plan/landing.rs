//! A scheduled reply landing: planned again, as its author, as things stand when its time comes.

use super::{Facts, Plan, Write, plan};
use meridian_domain::{MutationId, ScheduledMessage, ScheduledState, ScopeId, UnixMillis, User};
use meridian_protocol::{Mutation, MutationOp};

/// The reply a scheduled one becomes when it lands at `now`: a mutation no client sent, planned
/// like any reply, so every check a reply passes is made again as things stand then. Backends
/// read its [`targets`](super::targets) and plan it with [`land`].
pub fn landing(scheduled: &ScheduledMessage, now: UnixMillis) -> Mutation {
    Mutation {
        seq: 0,
        id: MutationId::new(),
        op: MutationOp::CreateMessage {
            message_id: scheduled.message_id,
            thread_id: scheduled.thread_id,
            body: scheduled.body.clone(),
            attachments: scheduled.attachments.clone(),
            urgent: scheduled.urgent,
        },
        client_ts: now,
    }
}

/// What landing a scheduled reply writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landing {
    /// The reply in its thread's channel, unless it may no longer be posted.
    pub reply: Option<Plan>,
    /// Its new state in the author's own scope: sent, or failed with the reason.
    pub record: Plan,
}

/// Lands `scheduled` as `author` (as stored now) at `now`, given the facts read for
/// [`landing`]'s targets. A reply that may no longer be posted (the author left the channel, the
/// thread is gone) is marked failed, keeping its text for the author.
pub fn land(author: &User, scheduled: &ScheduledMessage, facts: &Facts, now: UnixMillis) -> Landing {
    let (reply, state) = match plan(author, &landing(scheduled, now), facts) {
        Ok(reply) => (Some(reply), ScheduledState::Sent { at: now }),
        Err(refusal) => {
            (None, ScheduledState::Failed { code: refusal.code.to_owned(), message: refusal.message })
        }
    };
    let record = ScheduledMessage { state, ..scheduled.clone() };
    Landing { reply, record: Plan::new(ScopeId::User(scheduled.author_id), vec![Write::Schedule(record)]) }
}
