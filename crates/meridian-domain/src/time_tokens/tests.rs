use super::*;
use crate::local_time::HourCycle;
use chrono::NaiveDateTime;
use proptest::prelude::*;

fn at_utc(text: &str) -> UnixMillis {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time").and_utc().timestamp_millis()
}

fn zone(name: &str) -> Tz {
    name.parse().expect("zone")
}

/// Wednesday 25 November 2026, 14:00 in Berlin.
fn now() -> UnixMillis {
    at_utc("2026-11-25 13:00")
}

fn times(text: &str) -> Vec<UnixMillis> {
    typed_times(text, now(), zone("Europe/Berlin")).into_iter().map(|(_, at)| at).collect()
}

#[test]
fn days_and_times_in_either_order() {
    assert_eq!(times("3pm tomorrow"), [at_utc("2026-11-26 14:00")]);
    assert_eq!(times("tomorrow at 3:30 pm"), [at_utc("2026-11-26 14:30")]);
    assert_eq!(times("Tue 09:30"), [at_utc("2026-12-01 08:30")]);
    assert_eq!(times("noon on Friday"), [at_utc("2026-11-27 11:00")]);
}

#[test]
fn a_weekday_or_bare_time_is_its_next_occurrence() {
    assert_eq!(times("Wed 16:00"), [at_utc("2026-11-25 15:00")]);
    assert_eq!(times("Wed 09:30"), [at_utc("2026-12-02 08:30")]);
    assert_eq!(times("next Wed 16:00"), [at_utc("2026-12-02 15:00")]);
    assert_eq!(times("at 3pm"), [at_utc("2026-11-25 14:00")]);
    assert_eq!(times("at 1pm"), [at_utc("2026-11-26 12:00")]);
    assert_eq!(times("12am"), [at_utc("2026-11-25 23:00")]);
}

#[test]
fn numbers_that_are_not_times_stay_text() {
    for text in
        ["3 apples", "version 1:2", "12:345", "25:00", "13pm", "at 10", "tomorrow maybe", "0pm", ":30pm"]
    {
        assert_eq!(times(text), Vec::<UnixMillis>::new(), "{text}");
    }
}

#[test]
fn phrases_are_found_inside_sentences() {
    let text = "Call at 3pm tomorrow, then Fri 09:00?";
    let found = typed_times(text, now(), zone("Europe/Berlin"));
    let phrases: Vec<&str> = found.iter().map(|(range, _)| &text[range.clone()]).collect();
    assert_eq!(phrases, ["3pm tomorrow", "Fri 09:00"]);
}

#[test]
fn a_skipped_wall_time_moves_forward() {
    // Saturday 7 March 2026, noon in New York; Sunday 02:30 does not exist there.
    let found = typed_times("Sun 02:30", at_utc("2026-03-07 17:00"), zone("America/New_York"));
    assert_eq!(found[0].1, at_utc("2026-03-08 07:30"));
}

#[test]
fn tokens_render_in_the_readers_zone_and_name_the_authors() {
    let body = tokenize_typed_times("Standup 3pm tomorrow!", now(), zone("Europe/Berlin"));
    assert_eq!(body, format!("Standup <t:{}:Europe/Berlin>!", at_utc("2026-11-26 14:00")));
    let tokens = find_tokens(&body);
    assert_eq!(tokens.len(), 1);
    assert_eq!(&body[tokens[0].0.clone()], &body[8..body.len() - 1]);
    let label = tokens[0].1.label_for(zone("America/New_York"), HourCycle::TwentyFourHour);
    assert_eq!(label.local, "Thu 26 Nov, 09:00");
    assert_eq!(label.origin.as_deref(), Some("15:00 Berlin"));
    let label = tokens[0].1.label_for(zone("America/New_York"), HourCycle::TwelveHour);
    assert_eq!(label.local, "Thu 26 Nov, 9:00 AM");
    assert_eq!(label.origin.as_deref(), Some("3:00 PM Berlin"));
    // A reader on the author's wall clock is not told twice.
    assert_eq!(tokens[0].1.label_for(zone("Europe/Paris"), HourCycle::TwelveHour).origin, None);
}

#[test]
fn malformed_tokens_stay_text() {
    for body in ["<t:abc:Europe/Berlin>", "<t:1:Not/AZone>", "<t:5", "<t::UTC>", "<t:1-:UTC>"] {
        assert!(find_tokens(body).is_empty(), "{body}");
    }
    assert_eq!(find_tokens("<t:<t:0:UTC>").len(), 1);
}

proptest! {
    #[test]
    fn any_text_tokenizes_into_as_many_tokens_as_typed_times(text in "[ a-zA-Z0-9:<>,.!?]{0,60}") {
        let berlin = zone("Europe/Berlin");
        let typed = typed_times(&text, now(), berlin);
        for (_, at) in &typed {
            prop_assert!(*at > now() - 86_400_000 && *at <= now() + 8 * 86_400_000);
        }
        let body = tokenize_typed_times(&text, now(), berlin);
        let tokens = find_tokens(&body).len();
        prop_assert!(tokens >= typed.len());
    }
}
