//! Weekly working hours: for each weekday, the local times a person usually works.
//!
//! On the wire a week is a map from day (`mon` … `sun`) to a list of `["HH:MM", "HH:MM"]` spans,
//! each from its start (inclusive) to its end (exclusive, `24:00` allowed). Only valid weeks can
//! be built or deserialized: spans are in order, never reversed, empty or overlapping.

use crate::error::DomainError;
use crate::local_time::HourCycle;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Minutes in a day; the largest end a span may have (`24:00`).
pub const DAY_MINUTES: u16 = 24 * 60;
/// Most spans one day may hold; enough for split shifts, small enough to bound a profile.
pub const MAX_SPANS_PER_DAY: usize = 8;
/// Day keys in week order, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A week as clients send it, before validation.
pub type RawWorkingHours = BTreeMap<String, Vec<[String; 2]>>;

/// `[start, end)` in minutes after local midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan {
    pub start: u16,
    pub end: u16,
}

/// A validated week of working hours, Monday first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawWorkingHours", into = "RawWorkingHours")]
pub struct WorkingHours {
    days: [Vec<TimeSpan>; 7],
}

impl WorkingHours {
    /// Builds a week from per-day spans (index 0 is Monday), sorting each day and refusing
    /// reversed, empty or overlapping spans.
    pub fn new(days: [Vec<TimeSpan>; 7]) -> Result<Self, DomainError> {
        let mut days = days;
        for (day, spans) in DAYS.iter().zip(days.iter_mut()) {
            check_day(day, spans)?;
        }
        Ok(Self { days })
    }

    /// The spans of one day, `0` being Monday; sorted and disjoint.
    pub fn day(&self, index: usize) -> &[TimeSpan] {
        self.days.get(index).map_or(&[], Vec::as_slice)
    }

    /// Whether no day has any hours.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }
}

/// Sorts `spans` and checks them; touching spans (`[9:00, 12:00)`, `[12:00, 17:00)`) are fine.
fn check_day(day: &str, spans: &mut [TimeSpan]) -> Result<(), DomainError> {
    if spans.len() > MAX_SPANS_PER_DAY {
        return Err(invalid(format!("{day} has more than {MAX_SPANS_PER_DAY} spans")));
    }
    if let Some(span) = spans.iter().find(|span| span.start >= span.end || span.end > DAY_MINUTES) {
        return Err(invalid(format!("{day}: {} is reversed or empty", show(*span))));
    }
    spans.sort_unstable();
    if let Some(pair) = spans.windows(2).find(|pair| pair[0].end > pair[1].start) {
        return Err(invalid(format!("{day}: {} overlaps {}", show(pair[0]), show(pair[1]))));
    }
    Ok(())
}

impl TryFrom<RawWorkingHours> for WorkingHours {
    type Error = DomainError;

    fn try_from(raw: RawWorkingHours) -> Result<Self, DomainError> {
        let mut days: [Vec<TimeSpan>; 7] = Default::default();
        for (day, spans) in raw {
            let index = DAYS
                .iter()
                .position(|known| *known == day)
                .ok_or_else(|| invalid(format!("{day:?} is not a weekday (mon … sun)")))?;
            if spans.len() > MAX_SPANS_PER_DAY {
                return Err(invalid(format!("{day} has more than {MAX_SPANS_PER_DAY} spans")));
            }
            days[index] = spans
                .iter()
                .map(|[start, end]| Ok(TimeSpan { start: parse_time(start)?, end: parse_time(end)? }))
                .collect::<Result<_, DomainError>>()?;
        }
        Self::new(days)
    }
}

impl From<WorkingHours> for RawWorkingHours {
    fn from(hours: WorkingHours) -> Self {
        DAYS.iter()
            .zip(hours.days)
            .filter(|(_, spans)| !spans.is_empty())
            .map(|(day, spans)| {
                let spans = spans.iter().map(|span| [clock(span.start), clock(span.end)]).collect();
                ((*day).to_owned(), spans)
            })
            .collect()
    }
}

/// `HH:MM`, 00:00 to 24:00.
fn parse_time(text: &str) -> Result<u16, DomainError> {
    let parsed = text.split_once(':').and_then(|(hours, minutes)| {
        let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return None;
        }
        let (hours, minutes) = (hours.parse::<u16>().ok()?, minutes.parse::<u16>().ok()?);
        (minutes < 60).then_some(hours * 60 + minutes)
    });
    parsed.filter(|minutes| *minutes <= DAY_MINUTES).ok_or_else(|| {
        let shown: String = text.chars().take(16).collect();
        invalid(format!("{shown:?} is not a time of day (HH:MM)"))
    })
}

/// A week said briefly, runs of days with the same hours joined: "Mon–Fri 09:00–17:00",
/// "Mon–Thu 08:00–12:00, 13:00–16:30 · Fri 08:00–12:00". No week (or an empty one) reads as the
/// office hours assumed for people who have not said (Monday to Friday, 09:00–17:00).
pub fn describe_week(week: Option<&WorkingHours>, cycle: HourCycle) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let assumed;
    let week = match week {
        Some(week) if !week.is_empty() => week,
        _ => {
            let office = vec![TimeSpan { start: 9 * 60, end: 17 * 60 }];
            assumed = WorkingHours {
                days: [
                    office.clone(),
                    office.clone(),
                    office.clone(),
                    office.clone(),
                    office,
                    vec![],
                    vec![],
                ],
            };
            &assumed
        }
    };
    let mut parts = Vec::new();
    let mut day = 0;
    while day < 7 {
        let spans = week.day(day);
        let mut last = day;
        while last + 1 < 7 && week.day(last + 1) == spans {
            last += 1;
        }
        if !spans.is_empty() {
            let days =
                if last == day { NAMES[day].to_owned() } else { format!("{}–{}", NAMES[day], NAMES[last]) };
            let hours: Vec<String> = spans
                .iter()
                .map(|span| {
                    format!("{}–{}", cycle.minutes_of_day(span.start), cycle.minutes_of_day(span.end))
                })
                .collect();
            parts.push(format!("{days} {}", hours.join(", ")));
        }
        day = last + 1;
    }
    parts.join(" · ")
}

/// Minutes since midnight as "HH:MM", the day's end as "24:00": how hours are stored and sent, and
/// how a 24-hour clock reads them.
pub(crate) fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn show(span: TimeSpan) -> String {
    format!("[{}, {})", clock(span.start), clock(span.end))
}

fn invalid(reason: String) -> DomainError {
    DomainError::InvalidWorkingHours(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn week(value: serde_json::Value) -> Result<WorkingHours, String> {
        serde_json::from_value(value).map_err(|error| error.to_string())
    }

    #[test]
    fn a_split_day_round_trips_sorted() {
        let hours =
            week(json!({"mon": [["13:00", "17:30"], ["09:00", "12:00"]], "fri": [["22:00", "24:00"]]}))
                .expect("valid");
        assert_eq!(hours.day(0), &[TimeSpan { start: 540, end: 720 }, TimeSpan { start: 780, end: 1050 }]);
        assert_eq!(
            serde_json::to_value(&hours).expect("json"),
            json!({"mon": [["09:00", "12:00"], ["13:00", "17:30"]], "fri": [["22:00", "24:00"]]})
        );
    }

    #[test]
    fn bad_weeks_are_refused_with_the_working_hours_code() {
        for bad in [
            json!({"mon": [["17:00", "09:00"]]}),
            json!({"mon": [["09:00", "09:00"]]}),
            json!({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}),
            json!({"mon": [["09:00", "24:01"]]}),
            json!({"mon": [["9:00", "12:00"]]}),
            json!({"mon": [["09:60", "12:00"]]}),
            json!({"someday": [["09:00", "12:00"]]}),
        ] {
            let raw: RawWorkingHours = serde_json::from_value(bad.clone()).expect("raw shape");
            let error = WorkingHours::try_from(raw).expect_err(&bad.to_string());
            assert_eq!(error.code(), "invalid_working_hours", "{bad}");
        }
    }

    #[test]
    fn weeks_are_described_briefly() {
        assert_eq!(describe_week(None, HourCycle::TwentyFourHour), "Mon–Fri 09:00–17:00");
        let split = week(json!({
            "mon": [["08:00", "12:00"], ["13:00", "16:30"]], "tue": [["08:00", "12:00"], ["13:00", "16:30"]],
            "fri": [["08:00", "12:00"]], "sun": [["22:00", "24:00"]]
        }))
        .expect("valid");
        assert_eq!(
            describe_week(Some(&split), HourCycle::TwentyFourHour),
            "Mon–Tue 08:00–12:00, 13:00–16:30 · Fri 08:00–12:00 · Sun 22:00–24:00"
        );
        assert_eq!(describe_week(None, HourCycle::TwelveHour), "Mon–Fri 9:00 AM–5:00 PM");
    }

    #[test]
    fn touching_spans_are_fine() {
        assert!(week(json!({"tue": [["09:00", "12:00"], ["12:00", "17:00"]]})).is_ok());
    }

    fn span() -> impl Strategy<Value = TimeSpan> {
        (0..=DAY_MINUTES, 0..=DAY_MINUTES + 10).prop_map(|(start, end)| TimeSpan { start, end })
    }

    proptest! {
        #[test]
        fn accepted_days_never_overlap_or_reverse(spans in proptest::collection::vec(span(), 0..6)) {
            let mut days: [Vec<TimeSpan>; 7] = Default::default();
            days[2] = spans.clone();
            if let Ok(hours) = WorkingHours::new(days) {
                let day = hours.day(2);
                prop_assert_eq!(day.len(), spans.len());
                prop_assert!(day.iter().all(|s| s.start < s.end && s.end <= DAY_MINUTES));
                prop_assert!(day.windows(2).all(|pair| pair[0].end <= pair[1].start));
            } else {
                // A refusal must have a reason: some span is bad or two of them overlap.
                let bad_span = spans.iter().any(|s| s.start >= s.end || s.end > DAY_MINUTES);
                let overlap = spans.iter().enumerate().any(|(i, a)| {
                    spans.iter().skip(i + 1).any(|b| a.start < b.end && b.start < a.end)
                });
                prop_assert!(bad_span || overlap);
            }
        }

        #[test]
        fn valid_weeks_survive_the_wire(spans in proptest::collection::vec(span(), 0..4)) {
            let mut days: [Vec<TimeSpan>; 7] = Default::default();
            days[6] = spans;
            if let Ok(hours) = WorkingHours::new(days) {
                let text = serde_json::to_string(&hours).expect("json");
                prop_assert_eq!(serde_json::from_str::<WorkingHours>(&text).expect("back"), hours);
            }
        }
    }
}
