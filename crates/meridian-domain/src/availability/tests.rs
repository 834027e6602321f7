use super::*;
use crate::hours::DAY_MINUTES;
use crate::hours::{RawWorkingHours, WorkingHours};
use crate::local_time::HourCycle;
use chrono::NaiveDateTime;
use chrono::TimeZone;
use proptest::prelude::*;

const H24: HourCycle = HourCycle::TwentyFourHour;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn zone(name: &str) -> Tz {
    name.parse().expect("known zone")
}

/// The instant of a local wall time (`YYYY-MM-DD HH:MM`, unambiguous) in `zone`.
fn local(zone: Tz, text: &str) -> UnixMillis {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("local time");
    zone.from_local_datetime(&naive).single().expect("unambiguous").timestamp_millis()
}

fn at_utc(text: &str) -> UnixMillis {
    local(chrono_tz::UTC, text)
}

fn week(json: serde_json::Value) -> WorkingHours {
    let raw: RawWorkingHours = serde_json::from_value(json).expect("raw week");
    WorkingHours::try_from(raw).expect("valid week")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

#[test]
fn half_hour_zone_waits_for_nine_local() {
    let kolkata = Availability::in_zone(zone("Asia/Kolkata"));
    // Monday 08:30 IST.
    let sent = at_utc("2026-11-23 03:00");
    assert_eq!(deliver_at(&kolkata, sent, Urgency::Normal), local(kolkata.zone, "2026-11-23 09:00"));
    assert_eq!(deliver_at(&kolkata, sent, Urgency::Normal), at_utc("2026-11-23 03:30"));
    // Monday 10:30 IST is working time: now.
    assert_eq!(delivery(&kolkata, at_utc("2026-11-23 05:00"), Urgency::Normal), Delivery::Now);
}

#[test]
fn forty_five_minute_zone_after_hours_waits_for_the_next_morning() {
    let kathmandu = Availability::in_zone(zone("Asia/Kathmandu"));
    // Monday 17:45 NPT, after 17:00.
    let sent = at_utc("2026-11-23 12:00");
    assert_eq!(deliver_at(&kathmandu, sent, Urgency::Normal), at_utc("2026-11-24 03:15"));
}

#[test]
fn chatham_friday_evening_waits_for_monday() {
    // +13:45 in November (daylight time): Friday 17:45 local.
    let chatham = Availability::in_zone(zone("Pacific/Chatham"));
    let sent = at_utc("2026-11-27 04:00");
    assert_eq!(deliver_at(&chatham, sent, Urgency::Normal), local(chatham.zone, "2026-11-30 09:00"));
    assert_eq!(deliver_at(&chatham, sent, Urgency::Normal), at_utc("2026-11-29 19:15"));
}

#[test]
fn spring_forward_moves_a_skipped_start_by_the_jump() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT in New York; a shift starting 02:30 starts 03:30 EDT.
    let new_york = Availability::in_zone(zone("America/New_York"))
        .with_week(week(serde_json::json!({"sun": [["02:30", "05:00"]]})));
    let sent = at_utc("2026-03-08 05:00"); // 00:00 EST
    assert_eq!(deliver_at(&new_york, sent, Urgency::Normal), at_utc("2026-03-08 07:30"));
    assert_eq!(
        status(&new_york, at_utc("2026-03-08 08:00")),
        Status::Working { until: at_utc("2026-03-08 09:00") }
    );
}

#[test]
fn the_monday_after_spring_forward_starts_at_nine_daylight_time() {
    let new_york = Availability::in_zone(zone("America/New_York"));
    // Saturday noon EST; Monday 09:00 EDT is 13:00 UTC, not 14:00.
    let sent = at_utc("2026-03-07 17:00");
    assert_eq!(deliver_at(&new_york, sent, Urgency::Normal), at_utc("2026-03-09 13:00"));
}

#[test]
fn fall_back_takes_the_first_of_a_repeated_hour_and_keeps_the_whole_shift() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens twice.
    let new_york = Availability::in_zone(zone("America/New_York"))
        .with_week(week(serde_json::json!({"sun": [["01:30", "03:00"]]})));
    let sent = at_utc("2026-11-01 04:00"); // 00:00 EDT
    assert_eq!(deliver_at(&new_york, sent, Urgency::Normal), at_utc("2026-11-01 05:30"));
    // 03:00 EST is 08:00 UTC: the shift lasts two and a half real hours.
    assert_eq!(end_of_workday(&new_york, sent), Some(at_utc("2026-11-01 08:00")));
    // The Monday after: 09:00 EST is 14:00 UTC.
    let weekdays = Availability::in_zone(zone("America/New_York"));
    assert_eq!(
        deliver_at(&weekdays, at_utc("2026-10-30 22:00"), Urgency::Normal),
        at_utc("2026-11-02 14:00")
    );
}

#[test]
fn thirty_minute_daylight_saving_on_lord_howe() {
    // 2026-10-04 02:00 LHST (+10:30) jumps to 02:30 LHDT (+11); a shift from 02:00 starts 02:30.
    let lord_howe = Availability::in_zone(zone("Australia/Lord_Howe"))
        .with_week(week(serde_json::json!({"sun": [["02:00", "04:00"]]})));
    let sent = at_utc("2026-10-03 12:00"); // Saturday 22:30 LHST
    assert_eq!(deliver_at(&lord_howe, sent, Urgency::Normal), at_utc("2026-10-03 15:30"));
}

#[test]
fn weekends_and_holidays_are_skipped() {
    let mut berlin = Availability::in_zone(zone("Europe/Berlin"));
    // Saturday afternoon goes to Monday 09:00 CET.
    assert_eq!(deliver_at(&berlin, at_utc("2026-11-28 14:00"), Urgency::Normal), at_utc("2026-11-30 08:00"));
    // With Monday a holiday, to Tuesday.
    berlin.holidays.insert(date("2026-11-30"));
    assert_eq!(deliver_at(&berlin, at_utc("2026-11-28 14:00"), Urgency::Normal), at_utc("2026-12-01 08:00"));
    assert_eq!(
        status(&berlin, at_utc("2026-11-30 10:00")),
        Status::Holiday { next: Some(at_utc("2026-12-01 08:00")) }
    );
}

#[test]
fn urgent_goes_through_off_hours_but_not_do_not_disturb() {
    let mut tokyo = Availability::in_zone(zone("Asia/Tokyo"));
    let saturday_night = at_utc("2026-11-28 18:00"); // Sunday 03:00 JST
    assert_eq!(deliver_at(&tokyo, saturday_night, Urgency::Urgent), saturday_night);
    assert_eq!(deliver_at(&tokyo, saturday_night, Urgency::Normal), at_utc("2026-11-30 00:00"));
    tokyo.do_not_disturb_until = Some(at_utc("2026-11-28 22:00"));
    assert_eq!(deliver_at(&tokyo, saturday_night, Urgency::Urgent), at_utc("2026-11-28 22:00"));
}

#[test]
fn time_away_holds_until_the_first_working_time_after_it() {
    let mut lagos = Availability::in_zone(zone("Africa/Lagos"));
    lagos.away.push(Period { from: at_utc("2026-11-23 00:00"), until: at_utc("2026-11-25 12:00") });
    // Monday 10:00 WAT, away: back on Wednesday 13:00 WAT, mid-shift.
    let sent = at_utc("2026-11-23 09:00");
    assert_eq!(deliver_at(&lagos, sent, Urgency::Normal), at_utc("2026-11-25 12:00"));
    assert_eq!(status(&lagos, sent), Status::Away { until: at_utc("2026-11-25 12:00") });
}

#[test]
fn a_shift_through_midnight_is_one_working_period() {
    let night_shift = Availability::in_zone(chrono_tz::UTC)
        .with_week(week(serde_json::json!({"fri": [["22:00", "24:00"]], "sat": [["00:00", "06:00"]]})));
    assert_eq!(
        status(&night_shift, at_utc("2026-11-27 23:00")),
        Status::Working { until: at_utc("2026-11-28 06:00") }
    );
}

#[test]
fn reply_due_counts_only_working_time() {
    let london = Availability::in_zone(zone("Europe/London"));
    // Friday 16:00 plus two working hours: one on Friday, one on Monday.
    assert_eq!(reply_due(&london, at_utc("2026-11-27 16:00"), 120), Some(at_utc("2026-11-30 10:00")));
    assert_eq!(end_of_workday(&london, at_utc("2026-11-27 16:00")), Some(at_utc("2026-11-27 17:00")));
}

#[test]
fn nobody_is_working_with_an_empty_calendar_year() {
    let mut always_away = Availability::in_zone(chrono_tz::UTC);
    let until = at_utc("2028-01-01 00:00");
    always_away.away.push(Period { from: at_utc("2026-01-01 00:00"), until });
    // Delivered when the leave ends rather than never.
    assert_eq!(deliver_at(&always_away, at_utc("2026-06-01 12:00"), Urgency::Normal), until);
}

const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "America/St_Johns",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
];

fn any_week() -> impl Strategy<Value = Option<WorkingHours>> {
    let span = (0..96u16, 1..40u16).prop_map(|(start, length)| TimeSpan {
        start: start * 15,
        end: (start * 15 + length * 15).min(DAY_MINUTES),
    });
    let day = proptest::collection::vec(span, 0..3);
    proptest::option::of(proptest::array::uniform7(day))
        .prop_map(|days| days.and_then(|days| WorkingHours::new(days).ok()))
}

fn any_person() -> impl Strategy<Value = Availability> {
    let holidays = proptest::collection::btree_set(0..730u64, 0..30);
    (proptest::sample::select(ZONES), any_week(), holidays).prop_map(|(name, week, holidays)| {
        let start = date("2026-01-01");
        Availability {
            zone: zone(name),
            week,
            holidays: holidays.into_iter().filter_map(|day| start.checked_add_days(Days::new(day))).collect(),
            away: Vec::new(),
            do_not_disturb_until: None,
        }
    })
}

/// Any instant in 2026, both daylight-saving seasons included.
fn any_instant() -> impl Strategy<Value = UnixMillis> {
    (at_utc("2026-01-01 00:00")..at_utc("2027-01-01 00:00")).prop_map(|at| at - at % MINUTE)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn normal_notifications_land_at_the_first_working_instant(person in any_person(), sent in any_instant()) {
        let at = deliver_at(&person, sent, Urgency::Normal);
        prop_assert!(at >= sent);
        let then = status(&person, at);
        prop_assert!(matches!(then, Status::Working { .. }), "not working at delivery: {:?}", then);
        if at > sent {
            // One millisecond earlier they were not working: nothing earlier would do.
            let before = status(&person, at - 1);
            prop_assert!(!matches!(before, Status::Working { .. }), "working just before: {:?}", before);
        }
        // Asking again at the delivery instant changes nothing.
        prop_assert_eq!(deliver_at(&person, at, Urgency::Normal), at);
    }

    #[test]
    fn urgent_notifications_are_immediate_without_do_not_disturb(person in any_person(), sent in any_instant()) {
        prop_assert_eq!(deliver_at(&person, sent, Urgency::Urgent), sent);
    }

    #[test]
    fn do_not_disturb_holds_everything(person in any_person(), sent in any_instant(), pause in 1..(48 * HOUR)) {
        let person = Availability { do_not_disturb_until: Some(sent + pause), ..person };
        prop_assert_eq!(deliver_at(&person, sent, Urgency::Urgent), sent + pause);
        prop_assert!(deliver_at(&person, sent, Urgency::Normal) >= sent + pause);
    }

    #[test]
    fn every_local_day_runs_forward(name in proptest::sample::select(ZONES), day in 0..730u64, minute in 0..=DAY_MINUTES) {
        let person = Availability::in_zone(zone(name));
        let date = date("2026-01-01").checked_add_days(Days::new(day)).expect("date");
        let start = person.instant(date, 0);
        let end = person.instant(date, DAY_MINUTES);
        let inside = person.instant(date, minute);
        // A local day lasts between 23 and 25 hours, and its wall times keep their order.
        prop_assert!((23 * HOUR..=25 * HOUR).contains(&(end - start)));
        prop_assert!(start <= inside && inside <= end);
    }
}

#[test]
fn the_sender_sees_when_each_recipient_hears() {
    let kolkata = Availability::in_zone(zone("Asia/Kolkata"));
    let berlin = Availability::in_zone(zone("Europe/Berlin"));
    // Monday 11:00 CET is 15:30 IST: both working.
    let now = at_utc("2026-11-23 10:00");
    assert_eq!(preview(&kolkata, now, Urgency::Normal, H24).label, "now");
    // Monday 17:30 CET: Berlin is off until Tuesday 09:00, 15 hours later.
    let evening = at_utc("2026-11-23 16:30");
    let held = preview(&berlin, evening, Urgency::Normal, H24);
    assert_eq!(held.delivery, Delivery::Held { until: at_utc("2026-11-24 08:00") });
    assert_eq!(held.label, "09:00 Tue their time — in 16 h");
    assert_eq!(preview(&berlin, evening, Urgency::Urgent, H24).label, "now");
    let twelve = preview(&berlin, evening, Urgency::Normal, HourCycle::TwelveHour);
    assert_eq!(twelve.label, "9:00 AM Tue their time — in 16 h");
}

#[test]
fn a_scheduled_message_is_told_when_it_lands_or_when_their_day_starts() {
    let berlin = Availability::in_zone(zone("Europe/Berlin"));
    // Sent Monday 17:30 CET, landing Tuesday 10:00 CET while Berlin works: told as it lands.
    let now = at_utc("2026-11-23 16:30");
    let lands = at_utc("2026-11-24 09:00");
    let told = preview_landing(&berlin, lands, now, Urgency::Normal, H24);
    assert_eq!(told.delivery, Delivery::Now);
    assert_eq!(told.label, "10:00 Tue their time — in 17 h");
    // Landing Tuesday 07:00 CET, before Berlin's day: held to 09:00.
    let early = preview_landing(&berlin, at_utc("2026-11-24 06:00"), now, Urgency::Normal, H24);
    assert_eq!(early.label, "09:00 Tue their time — in 16 h");
    assert_eq!(
        preview_landing(&berlin, now, now, Urgency::Urgent, H24),
        preview(&berlin, now, Urgency::Urgent, H24)
    );
}

#[test]
fn scheduled_for_their_morning_lands_at_the_next_start_of_work() {
    let tokyo = Availability::in_zone(zone("Asia/Tokyo"));
    // Monday 10:00 JST, mid-shift: the next morning is Tuesday's.
    assert_eq!(their_next_morning(&tokyo, at_utc("2026-11-23 01:00")), at_utc("2026-11-24 00:00"));
    // Saturday: Monday's.
    assert_eq!(their_next_morning(&tokyo, at_utc("2026-11-28 01:00")), at_utc("2026-11-30 00:00"));
}

#[test]
fn the_assumed_week_is_office_hours_on_weekdays() {
    let raw: RawWorkingHours = office_week().into();
    let expected = serde_json::json!({
        "mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]],
    });
    assert_eq!(serde_json::to_value(raw).expect("json"), expected);
    // Deciding delivery without a week reads the same hours.
    let assumed = Availability::in_zone(zone("Europe/Berlin"));
    let set = Availability::in_zone(zone("Europe/Berlin")).with_week(office_week());
    let from = local(assumed.zone, "2026-12-04 18:00");
    assert_eq!(
        assumed.working_spans(from).take(10).collect::<Vec<_>>(),
        set.working_spans(from).take(10).collect::<Vec<_>>()
    );
}
