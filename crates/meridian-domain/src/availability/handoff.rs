//! End-of-day handoff: who in a thread can carry it on soonest. Someone working now comes first;
//! everyone else in the order their working time starts. A person with nothing ahead in the
//! search horizon (a long leave) comes last.

use super::{Availability, Urgency, deliver_at};
use crate::clock::UnixMillis;

/// `people` in the order they can take over at `now`, each with the instant they can (`now`
/// for someone working). Ties keep the order given, so the caller's order (for example, who
/// spoke last) decides between equals.
pub fn handoff_order<T>(people: Vec<(T, Availability)>, now: UnixMillis) -> Vec<(T, UnixMillis)> {
    let mut ordered: Vec<(T, UnixMillis)> = people
        .into_iter()
        .map(|(who, availability)| (who, deliver_at(&availability, now, Urgency::Normal)))
        .collect();
    ordered.sort_by_key(|(_, from)| *from);
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::Period;
    use chrono::{NaiveDateTime, TimeZone};
    use chrono_tz::Tz;

    fn local(zone: Tz, text: &str) -> UnixMillis {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("local time");
        zone.from_local_datetime(&naive).single().expect("unambiguous").timestamp_millis()
    }

    fn person(zone: &str) -> Availability {
        Availability::in_zone(zone.parse().expect("zone"))
    }

    #[test]
    fn at_the_end_of_a_berlin_day_new_york_is_still_on_then_tokyo_then_kolkata() {
        let people = vec![
            ("Priya", person("Asia/Kolkata")),
            ("Ken", person("Asia/Tokyo")),
            ("Sam", person("America/New_York")),
        ];
        // Wednesday 17:00 in Berlin is 11:00 in New York.
        let now = local(chrono_tz::Europe::Berlin, "2026-12-02 17:00");
        let order = handoff_order(people.clone(), now);
        let names: Vec<_> = order.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["Sam", "Ken", "Priya"]);
        assert_eq!(order[0].1, now, "Sam is working now");
        assert_eq!(order[1].1, local(chrono_tz::Asia::Tokyo, "2026-12-03 09:00"));
        assert_eq!(order[2].1, local(chrono_tz::Asia::Kolkata, "2026-12-03 09:00"));

        // At 23:30 Berlin New York has gone home: Tokyo starts first (01:00 Berlin), then
        // Kolkata (04:30 Berlin), then New York again (15:00 Berlin).
        let late = local(chrono_tz::Europe::Berlin, "2026-12-02 23:30");
        let names: Vec<_> = handoff_order(people, late).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["Ken", "Priya", "Sam"]);
    }

    #[test]
    fn someone_away_waits_for_their_return_and_ties_keep_the_given_order() {
        let now = local(chrono_tz::Asia::Tokyo, "2026-12-02 10:00");
        let mut away = person("Asia/Tokyo");
        away.away.push(Period { from: now - 1, until: now + 7 * 24 * 3_600_000 });
        let people = vec![("Away", away), ("First", person("Asia/Tokyo")), ("Second", person("Asia/Seoul"))];
        let names: Vec<_> = handoff_order(people, now).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["First", "Second", "Away"]);
    }
}
