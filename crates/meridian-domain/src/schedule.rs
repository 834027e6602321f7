//! Scheduled send: replies the server keeps and posts later, and when "their morning" is.

use crate::attachment::Attachment;
use crate::availability::{Availability, their_next_morning};
use crate::clock::UnixMillis;
use crate::error::DomainError;
use crate::ids::{ChannelId, MessageId, ThreadId, UserId};
use serde::{Deserialize, Serialize};

/// The furthest ahead a reply may be scheduled: a little over a year, enough for "after my
/// sabbatical" and short enough that a mistyped year is caught.
pub const MAX_SCHEDULE_AHEAD_MS: UnixMillis = 400 * 24 * 60 * 60 * 1000;

/// A reply its author asked the server to post at `deliver_at`. It lives in the author's own scope
/// only, so nobody else learns of it before it lands; once it lands it is an ordinary message of
/// the thread, with the same id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledMessage {
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    pub author_id: UserId,
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
    /// When it is to land.
    pub deliver_at: UnixMillis,
    pub state: ScheduledState,
}

/// Where a scheduled reply stands. Only `pending` ones are still to land; pending and failed ones
/// may be withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ScheduledState {
    Pending,
    /// Posted to the thread at `at` (server time).
    Sent {
        at: UnixMillis,
    },
    /// Withdrawn by its author before it landed, or failed and then put away (or sent by hand).
    Cancelled,
    /// Could not be posted when its time came (say the author had left the channel); the text is
    /// kept here so the author can send it again.
    Failed {
        code: String,
        message: String,
    },
}

impl ScheduledState {
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Pending)
    }
}

/// Checks a requested landing time against `now`. A time already past is kept: it lands at once,
/// which is what a reply scheduled offline for a moment that went by should do.
pub fn deliver_at(requested: UnixMillis, now: UnixMillis) -> Result<UnixMillis, DomainError> {
    if requested > now.saturating_add(MAX_SCHEDULE_AHEAD_MS) {
        return Err(DomainError::ScheduleTooFar);
    }
    Ok(requested)
}

/// When a reply sent at "their morning" lands, and whose morning that is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Morning {
    pub at: UnixMillis,
    /// Among the recipients given, the index of the one whose working day starts then (the first
    /// of them if several start at once).
    pub first: usize,
}

/// "Send at their 09:00" for several recipients: the earliest start of a recipient's next working
/// day after `now`. The message lands then, once, for everyone; a recipient whose day starts later
/// is still off-hours at that instant, so their own notifier holds the notification until their day
/// starts. Each recipient is therefore told at the start of their own day. `None` without
/// recipients.
pub fn earliest_next_morning(recipients: &[Availability], now: UnixMillis) -> Option<Morning> {
    recipients
        .iter()
        .enumerate()
        .map(|(first, recipient)| Morning { at: their_next_morning(recipient, now), first })
        .min_by_key(|morning| morning.at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_time::local_instant;
    use chrono::NaiveDate;

    fn at(zone: chrono_tz::Tz, date: (i32, u32, u32), minutes: u16) -> UnixMillis {
        local_instant(zone, NaiveDate::from_ymd_opt(date.0, date.1, date.2).expect("date"), minutes)
    }

    #[test]
    fn lands_at_the_first_recipient_morning_and_each_is_told_in_their_own() {
        use crate::availability::{Delivery, Urgency, delivery};
        let (tokyo, berlin) = (chrono_tz::Asia::Tokyo, chrono_tz::Europe::Berlin);
        // Tuesday 2026-12-01, 20:00 in Berlin = Wednesday 04:00 in Tokyo.
        let now = at(berlin, (2026, 12, 1), 20 * 60);
        let people = [Availability::in_zone(tokyo), Availability::in_zone(berlin)];
        let morning = earliest_next_morning(&people, now).expect("recipients");
        assert_eq!(morning.first, 0, "Tokyo's 09:00 comes first");
        let lands = morning.at;
        assert_eq!(lands, at(tokyo, (2026, 12, 2), 9 * 60));
        assert_eq!(delivery(&people[0], lands, Urgency::Normal), Delivery::Now);
        assert_eq!(
            delivery(&people[1], lands, Urgency::Normal),
            Delivery::Held { until: at(berlin, (2026, 12, 2), 9 * 60) },
            "Berlin hears at its own 09:00"
        );
    }

    #[test]
    fn a_landing_time_may_be_past_but_not_more_than_a_year_ahead() {
        let now = 1_800_000_000_000;
        assert_eq!(deliver_at(now - 5_000, now), Ok(now - 5_000), "late: lands at once");
        assert_eq!(deliver_at(now + MAX_SCHEDULE_AHEAD_MS, now), Ok(now + MAX_SCHEDULE_AHEAD_MS));
        assert_eq!(deliver_at(now + MAX_SCHEDULE_AHEAD_MS + 1, now), Err(DomainError::ScheduleTooFar));
    }

    #[test]
    fn states_are_tagged_on_the_wire() {
        let failed = ScheduledState::Failed { code: "not_a_member".into(), message: "left".into() };
        let json = serde_json::to_value(&failed).expect("serialize");
        assert_eq!(json, serde_json::json!({"state": "failed", "code": "not_a_member", "message": "left"}));
        assert!(!failed.is_pending());
        assert!(ScheduledState::Pending.is_pending());
    }

    #[test]
    fn no_recipients_no_morning() {
        assert_eq!(earliest_next_morning(&[], 0), None);
    }

    #[test]
    fn of_two_mornings_at_once_the_first_recipient_is_named() {
        let (london, lisbon) = (chrono_tz::Europe::London, chrono_tz::Europe::Lisbon);
        let now = at(london, (2026, 12, 1), 20 * 60);
        let people = [Availability::in_zone(lisbon), Availability::in_zone(london)];
        let morning = earliest_next_morning(&people, now).expect("recipients");
        assert_eq!((morning.at, morning.first), (at(lisbon, (2026, 12, 2), 9 * 60), 0));
    }
}
