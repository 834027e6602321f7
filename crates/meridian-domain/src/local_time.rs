//! Instants as a person in some zone reads them: local dates, wall times across daylight-saving
//! changes, and short labels such as "Tue 09:30" and "in 7 h".

use crate::clock::UnixMillis;
use crate::hours::DAY_MINUTES;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// How the reader's clock reads, as their locale writes times: "14:05" or "2:05 PM".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HourCycle {
    #[default]
    TwentyFourHour,
    TwelveHour,
}

impl HourCycle {
    /// `time` as this clock reads it: "09:05" or "9:05 AM".
    pub fn clock(self, time: NaiveTime) -> String {
        match self {
            Self::TwentyFourHour => time.format("%H:%M").to_string(),
            Self::TwelveHour => time.format("%-I:%M %p").to_string(),
        }
    }

    /// Minutes since midnight as this clock reads them; the day's end (1440) reads "24:00", or
    /// "12:00 AM" on a twelve-hour clock.
    pub fn minutes_of_day(self, minutes: u16) -> String {
        let time = NaiveTime::from_hms_opt(u32::from(minutes / 60 % 24), u32::from(minutes % 60), 0);
        match (self, time) {
            (Self::TwentyFourHour, _) | (_, None) => crate::hours::clock(minutes),
            (Self::TwelveHour, Some(time)) => self.clock(time),
        }
    }
}

/// The UTC date-time of `at`; instants outside chrono's range clamp to its minimum.
pub fn utc(at: UnixMillis) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(at).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `at` on the wall clock of `zone`.
pub fn in_zone(zone: Tz, at: UnixMillis) -> DateTime<Tz> {
    utc(at).with_timezone(&zone)
}

/// The calendar date at `at` in `zone`.
pub fn local_date(zone: Tz, at: UnixMillis) -> NaiveDate {
    in_zone(zone, at).date_naive()
}

/// The instant of local `date` + `minutes` after midnight in `zone` (`DAY_MINUTES` is the next
/// midnight).
///
/// A wall time skipped by a daylight-saving jump is moved forward by the jump (02:30 on a
/// spring-forward night in New York is 03:30 EDT); a repeated one takes its first occurrence.
pub fn local_instant(zone: Tz, date: NaiveDate, minutes: u16) -> UnixMillis {
    let (date, minutes) = if minutes >= DAY_MINUTES {
        (date.succ_opt().unwrap_or(date), minutes - DAY_MINUTES)
    } else {
        (date, minutes)
    };
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minutes) * 60, 0).unwrap_or(NaiveTime::MIN);
    let local = NaiveDateTime::new(date, time);
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at.timestamp_millis(),
        None => {
            // In a gap: read the wall time with the offset in force a day earlier.
            let before = local - chrono::Duration::days(1);
            let offset = zone
                .offset_from_local_datetime(&before)
                .earliest()
                .map_or(0, |offset| offset.fix().local_minus_utc());
            (local - chrono::Duration::seconds(i64::from(offset))).and_utc().timestamp_millis()
        }
    }
}

/// Minutes `zone`'s wall clock is ahead of UTC at `at` (negative west of Greenwich).
pub fn utc_offset_minutes(zone: Tz, at: UnixMillis) -> i32 {
    in_zone(zone, at).offset().fix().local_minus_utc() / 60
}

/// "Tue 09:30" (or "Tue 9:30 AM"): weekday and wall time of `at` in `zone`.
pub fn weekday_time(zone: Tz, at: UnixMillis, cycle: HourCycle) -> String {
    let local = in_zone(zone, at);
    format!("{} {}", local.format("%a"), cycle.clock(local.time()))
}

/// The zone's abbreviation at `at` ("CET", "IST", "+0545" where there is none).
pub fn zone_abbreviation(zone: Tz, at: UnixMillis) -> String {
    in_zone(zone, at).format("%Z").to_string()
}

/// "in 7 h", "in 45 min", "in 2 d": how long from `now` until `at`, rounded up to the unit that
/// reads best. Past or present instants read "now".
pub fn wait_label(now: UnixMillis, at: UnixMillis) -> String {
    const MINUTE: i64 = 60_000;
    let minutes = (at - now + MINUTE - 1).div_euclid(MINUTE);
    match minutes {
        ..=0 => "now".to_owned(),
        1..=59 => format!("in {minutes} min"),
        60..=2879 => format!("in {} h", (minutes + 59) / 60),
        _ => format!("in {} d", (minutes + 1439) / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_utc(text: &str) -> UnixMillis {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time").and_utc().timestamp_millis()
    }

    #[test]
    fn labels_read_in_the_given_zone() {
        let kathmandu: Tz = "Asia/Kathmandu".parse().expect("zone");
        let at = at_utc("2026-11-24 03:15");
        assert_eq!(weekday_time(kathmandu, at, HourCycle::TwentyFourHour), "Tue 09:00");
        assert_eq!(weekday_time(chrono_tz::UTC, at, HourCycle::TwentyFourHour), "Tue 03:15");
        assert_eq!(weekday_time(kathmandu, at, HourCycle::TwelveHour), "Tue 9:00 AM");
        assert_eq!(weekday_time(chrono_tz::UTC, at + 12 * 3_600_000, HourCycle::TwelveHour), "Tue 3:15 PM");
    }

    #[test]
    fn minutes_of_day_read_on_either_clock() {
        use HourCycle::*;
        assert_eq!(TwentyFourHour.minutes_of_day(9 * 60 + 5), "09:05");
        assert_eq!(TwelveHour.minutes_of_day(9 * 60 + 5), "9:05 AM");
        assert_eq!(TwelveHour.minutes_of_day(0), "12:00 AM");
        assert_eq!(TwelveHour.minutes_of_day(12 * 60), "12:00 PM");
        assert_eq!(TwentyFourHour.minutes_of_day(DAY_MINUTES), "24:00");
        assert_eq!(TwelveHour.minutes_of_day(DAY_MINUTES), "12:00 AM");
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        let berlin: Tz = "Europe/Berlin".parse().expect("zone");
        let kathmandu: Tz = "Asia/Kathmandu".parse().expect("zone");
        assert_eq!(utc_offset_minutes(berlin, at_utc("2026-01-15 12:00")), 60);
        assert_eq!(utc_offset_minutes(berlin, at_utc("2026-07-15 12:00")), 120);
        assert_eq!(utc_offset_minutes(kathmandu, at_utc("2026-07-15 12:00")), 345);
    }

    #[test]
    fn waits_round_up_to_a_readable_unit() {
        let now = at_utc("2026-11-24 00:00");
        assert_eq!(wait_label(now, now - 1), "now");
        assert_eq!(wait_label(now, now), "now");
        assert_eq!(wait_label(now, now + 1), "in 1 min");
        assert_eq!(wait_label(now, at_utc("2026-11-24 00:45")), "in 45 min");
        assert_eq!(wait_label(now, at_utc("2026-11-24 06:30")), "in 7 h");
        assert_eq!(wait_label(now, at_utc("2026-11-24 07:00")), "in 7 h");
        assert_eq!(wait_label(now, at_utc("2026-11-27 09:00")), "in 4 d");
    }
}
