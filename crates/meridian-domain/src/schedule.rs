//! Scheduled send: when a message scheduled for "their morning" lands.

use crate::availability::{Availability, their_next_morning};
use crate::clock::UnixMillis;

/// "Send at their 09:00" for several recipients: the earliest start of a recipient's next working
/// day after `now`. The message lands then, once, for everyone; a recipient whose day starts later
/// is still off-hours at that instant, so their own notifier holds the notification until their day
/// starts. Each recipient is therefore told at the start of their own day. `None` without
/// recipients.
pub fn earliest_next_morning<'a>(
    recipients: impl IntoIterator<Item = &'a Availability>,
    now: UnixMillis,
) -> Option<UnixMillis> {
    recipients.into_iter().map(|recipient| their_next_morning(recipient, now)).min()
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
        let lands = earliest_next_morning(&people, now).expect("recipients");
        assert_eq!(lands, at(tokyo, (2026, 12, 2), 9 * 60), "Tokyo's 09:00 comes first");
        assert_eq!(delivery(&people[0], lands, Urgency::Normal), Delivery::Now);
        assert_eq!(
            delivery(&people[1], lands, Urgency::Normal),
            Delivery::Held { until: at(berlin, (2026, 12, 2), 9 * 60) },
            "Berlin hears at its own 09:00"
        );
    }

    #[test]
    fn no_recipients_no_morning() {
        assert_eq!(earliest_next_morning([], 0), None);
    }
}
