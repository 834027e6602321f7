//! What a sender is shown before sending: for each recipient, when they will be notified.

use super::{Availability, Delivery, Urgency, delivery};
use crate::clock::UnixMillis;
use crate::local_time::{HourCycle, wait_label, weekday_time};

/// When one recipient will hear about a message sent now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientDelivery {
    pub delivery: Delivery,
    /// "now", or "09:00 Tue their time — in 7 h".
    pub label: String,
}

/// The delivery of a message sent at `now` with `urgency` to `recipient`, with its label.
pub fn preview(
    recipient: &Availability,
    now: UnixMillis,
    urgency: Urgency,
    cycle: HourCycle,
) -> RecipientDelivery {
    preview_landing(recipient, now, now, urgency, cycle)
}

/// Like [`preview`] for a message that lands at `lands` (a scheduled one), told as seen at `now`:
/// "now" only if the recipient hears of it at once, else when, in their time, and how long from
/// now.
pub fn preview_landing(
    recipient: &Availability,
    lands: UnixMillis,
    now: UnixMillis,
    urgency: Urgency,
    cycle: HourCycle,
) -> RecipientDelivery {
    let delivery = delivery(recipient, lands, urgency);
    let told = match delivery {
        Delivery::Now => lands,
        Delivery::Held { until } => until,
    };
    let label = if told <= now {
        "now".to_owned()
    } else {
        let (day, time) = weekday_time(recipient.zone, told, cycle)
            .split_once(' ')
            .map_or_else(|| (String::new(), String::new()), |(day, time)| (day.to_owned(), time.to_owned()));
        format!("{time} {day} their time — {}", wait_label(now, told))
    };
    RecipientDelivery { delivery, label }
}

/// A message to each recipient at the start of their next working time: the instant it lands for
/// `recipient` if scheduled at `now` ("send at their 09:00").
pub fn their_next_morning(recipient: &Availability, now: UnixMillis) -> UnixMillis {
    match recipient.working_spans(now).find(|span| span.from > now) {
        Some(span) => span.from,
        None => super::deliver_at(recipient, now, Urgency::Normal),
    }
}
