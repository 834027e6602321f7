//! The questions asked of an [`Availability`]: when does a notification reach this person, are
//! they working now, when does their day end, and when is a reply due in their working time.

use super::{Availability, Period};
use crate::clock::UnixMillis;
use serde::{Deserialize, Serialize};

/// How hard a notification may push through the recipient's day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Waits for the recipient's working time.
    #[default]
    Normal,
    /// The sender judged it cannot wait: delivered now, through off-hours, weekends, holidays and
    /// time away. Only the recipient's own do-not-disturb still holds it.
    Urgent,
}

/// When a notification reaches its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Now,
    /// Held, and shown at this instant.
    Held {
        until: UnixMillis,
    },
}

/// The instant a notification about something sent at `sent_at` reaches `recipient`: `sent_at`
/// itself when they can be told now, otherwise the start of their next working time (after any
/// do-not-disturb). Never earlier than `sent_at`.
///
/// If no working time is found within the search horizon (a week with no hours, a very long
/// leave), it is delivered when nothing blocks it any more rather than never.
pub fn deliver_at(recipient: &Availability, sent_at: UnixMillis, urgency: Urgency) -> UnixMillis {
    let earliest = recipient.do_not_disturb_until.map_or(sent_at, |until| until.max(sent_at));
    if urgency == Urgency::Urgent {
        return earliest;
    }
    match recipient.working_spans(earliest).next() {
        Some(span) => span.from.max(earliest),
        None => recipient
            .away
            .iter()
            .filter(|away| away.contains(earliest))
            .map(|away| away.until)
            .max()
            .unwrap_or(earliest),
    }
}

/// [`deliver_at`], said as "now" or "held until".
pub fn delivery(recipient: &Availability, sent_at: UnixMillis, urgency: Urgency) -> Delivery {
    match deliver_at(recipient, sent_at, urgency) {
        at if at <= sent_at => Delivery::Now,
        until => Delivery::Held { until },
    }
}

/// Whether a person is working at an instant, and if not, until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// In working time until `until`.
    Working { until: UnixMillis },
    /// Do-not-disturb is on until `until`.
    DoNotDisturb { until: UnixMillis },
    /// Away (leave, travel) until `until`.
    Away { until: UnixMillis },
    /// A holiday in their calendar; working again at `next`, if within the horizon.
    Holiday { next: Option<UnixMillis> },
    /// Outside working hours; working again at `next`, if within the horizon.
    OffHours { next: Option<UnixMillis> },
}

/// What a person is doing at `at`.
pub fn status(person: &Availability, at: UnixMillis) -> Status {
    if let Some(until) = person.do_not_disturb_until.filter(|until| *until > at) {
        return Status::DoNotDisturb { until };
    }
    if let Some(until) = person.away.iter().filter(|away| away.contains(at)).map(|away| away.until).max() {
        return Status::Away { until };
    }
    let mut spans = person.working_spans(at);
    match spans.next() {
        Some(span) if span.contains(at) => Status::Working { until: span.until },
        next => {
            let next = next.map(|span| span.from);
            if person.holidays.contains(&person.local_date(at)) {
                Status::Holiday { next }
            } else {
                Status::OffHours { next }
            }
        }
    }
}

/// The end of the working time `person` is in at `at`, or of their next one if they are off:
/// the moment to "nudge me at their end of day". `None` if they have no working time ahead.
pub fn end_of_workday(person: &Availability, at: UnixMillis) -> Option<UnixMillis> {
    person.working_spans(at).next().map(|span| span.until)
}

/// When `working_minutes` of `person`'s working time have passed after `from`: an "expected reply
/// by" that counts only their working hours. `None` if their working time ahead is too short.
pub fn reply_due(person: &Availability, from: UnixMillis, working_minutes: u32) -> Option<UnixMillis> {
    let mut left = i64::from(working_minutes) * 60_000;
    for Period { from: start, until } in person.working_spans(from) {
        let start = start.max(from);
        let available = until - start;
        if left <= available {
            return Some(start + left);
        }
        left -= available;
    }
    None
}
