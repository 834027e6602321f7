//! "Nudge me at their end of day": a reminder a person keeps about one of their messages that
//! awaits someone's reply. It is theirs alone: it lives in their own scope, so every one of their
//! devices knows it and nobody else ever learns of it. Each device reminds them once, when it
//! falls due, if the addressee has not written in the thread since.

use crate::clock::UnixMillis;
use crate::error::DomainError;
use crate::ids::{MessageId, ThreadId, UserId};
use crate::schedule::MAX_SCHEDULE_AHEAD_MS;
use serde::{Deserialize, Serialize};

/// How long after it fell due a nudge is still shown. A device asleep or off at that moment
/// reminds when it wakes within this; later, the day it was about is long over, and a device
/// signed in for the first time does not replay old reminders.
pub const STILL_SHOWN_FOR_MS: UnixMillis = 24 * 60 * 60 * 1000;

/// A reminder its author keeps about their message `message_id`, due at `due_at` (the end of the
/// addressee's working day). One per message: setting it again replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nudge {
    /// The author's message that awaits the reply.
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub author_id: UserId,
    /// Whose reply is awaited; only their later messages in the thread answer it.
    pub addressee_id: UserId,
    pub due_at: UnixMillis,
}

/// Checks a requested due time against `now`: a year ahead at most, as for scheduled replies. A
/// time already past is kept; it is due at once.
pub fn due_at(requested: UnixMillis, now: UnixMillis) -> Result<UnixMillis, DomainError> {
    if requested > now.saturating_add(MAX_SCHEDULE_AHEAD_MS) {
        return Err(DomainError::NudgeTooFar);
    }
    Ok(requested)
}

/// Whether a nudge due at `due_at` is to be shown at `now`: it is due, and not so long ago that
/// the reminder has lost its point (see [`STILL_SHOWN_FOR_MS`]).
pub fn shown_at(due_at: UnixMillis, now: UnixMillis) -> bool {
    due_at <= now && now - due_at <= STILL_SHOWN_FOR_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_is_due_at_most_a_year_ahead() {
        let now = 1_800_000_000_000;
        assert_eq!(due_at(now - 1, now), Ok(now - 1), "late: due at once");
        assert_eq!(due_at(now + MAX_SCHEDULE_AHEAD_MS, now), Ok(now + MAX_SCHEDULE_AHEAD_MS));
        assert_eq!(due_at(now + MAX_SCHEDULE_AHEAD_MS + 1, now), Err(DomainError::NudgeTooFar));
        assert_eq!(DomainError::NudgeTooFar.code(), "nudge_too_far");
    }

    #[test]
    fn a_nudge_is_shown_from_its_time_for_a_day() {
        let due = 1_800_000_000_000;
        assert!(!shown_at(due, due - 1), "not before");
        assert!(shown_at(due, due));
        assert!(shown_at(due, due + STILL_SHOWN_FOR_MS), "a device waking the next morning");
        assert!(!shown_at(due, due + STILL_SHOWN_FOR_MS + 1), "a device signed in days later");
    }

    #[test]
    fn nudges_read_as_plain_fields_on_the_wire() {
        let nudge = Nudge {
            message_id: MessageId::new(),
            thread_id: ThreadId::new(),
            author_id: UserId::new(),
            addressee_id: UserId::new(),
            due_at: 5,
        };
        let json = serde_json::to_value(&nudge).expect("serialize");
        assert_eq!(json["due_at"], 5);
        assert_eq!(json["addressee_id"], nudge.addressee_id.to_string());
        assert_eq!(serde_json::from_value::<Nudge>(json).expect("deserialize"), nudge);
    }
}
