//! Time a person is not to be reached although their week says they work: holidays, time away
//! (leave, travel) and do-not-disturb. Part of their profile, so teammates see it and every
//! device that decides when to notify them agrees.

use crate::clock::UnixMillis;
use crate::error::DomainError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many holidays a profile may list; a year of them with room to spare.
pub const MAX_HOLIDAYS: usize = 400;
/// How many periods away a profile may list.
pub const MAX_AWAY: usize = 50;
/// The longest note on a period away ("Parental leave, back in March").
pub const MAX_AWAY_NOTE_CHARS: usize = 120;
/// How far ahead do-not-disturb may be set: a month. Longer absences are time away, which
/// teammates see with its end.
pub const MAX_DO_NOT_DISTURB_MILLIS: i64 = 31 * 24 * 3_600_000;

/// A period away, in absolute time, with an optional note for teammates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Away {
    pub from: UnixMillis,
    pub until: UnixMillis,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Holidays, time away and do-not-disturb. Every field defaults to empty, so a profile written
/// before they existed reads as "none".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOff {
    /// Local dates (`YYYY-MM-DD`, in the person's zone) they do not work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, format = Date))]
    pub holidays: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub away: Vec<Away>,
    /// Notifications, even urgent ones, wait until this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_disturb_until: Option<UnixMillis>,
}

impl TimeOff {
    pub fn is_empty(&self) -> bool {
        self.holidays.is_empty() && self.away.is_empty() && self.do_not_disturb_until.is_none()
    }

    /// Checks `self` as sent at `now` and returns it tidied: holidays sorted without repeats,
    /// periods away that already ended and a do-not-disturb that already passed dropped, notes
    /// trimmed. What is past cannot change a delivery time, and dropping it keeps profiles small.
    pub fn validated(self, now: UnixMillis) -> Result<Self, DomainError> {
        let refuse = |why: String| Err(DomainError::InvalidTimeOff(why));
        let mut holidays = self.holidays;
        holidays.sort_unstable();
        holidays.dedup();
        if holidays.len() > MAX_HOLIDAYS {
            return refuse(format!("at most {MAX_HOLIDAYS} holidays"));
        }
        if self.away.len() > MAX_AWAY {
            return refuse(format!("at most {MAX_AWAY} periods away"));
        }
        let mut away = Vec::with_capacity(self.away.len());
        for period in self.away {
            if period.until <= period.from {
                return refuse(format!(
                    "a period away must end after it starts ({} ≥ {})",
                    period.from, period.until
                ));
            }
            let note = period.note.trim().to_owned();
            let len = note.chars().count();
            if len > MAX_AWAY_NOTE_CHARS {
                return Err(DomainError::TooLong { field: "away note", len, max: MAX_AWAY_NOTE_CHARS });
            }
            if note.chars().any(char::is_control) {
                return refuse("a note away may not hold control characters".into());
            }
            if period.until > now {
                away.push(Away { note, ..period });
            }
        }
        away.sort_by_key(|period| (period.from, period.until));
        let do_not_disturb_until = match self.do_not_disturb_until {
            Some(until) if until > now.saturating_add(MAX_DO_NOT_DISTURB_MILLIS) => {
                return refuse(
                    "do-not-disturb can be set at most a month ahead; use time away for longer".into(),
                );
            }
            Some(until) if until > now => Some(until),
            _ => None,
        };
        Ok(Self { holidays, away, do_not_disturb_until })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn the_past_is_dropped_and_the_rest_tidied() {
        let now = 1_000 * HOUR;
        let sent = TimeOff {
            holidays: vec![date("2026-12-25"), date("2026-12-24"), date("2026-12-25")],
            away: vec![
                Away { from: now + 48 * HOUR, until: now + 72 * HOUR, note: "  Conference  ".into() },
                Away { from: now - 10 * HOUR, until: now - HOUR, note: String::new() },
                Away { from: now - HOUR, until: now + HOUR, note: String::new() },
            ],
            do_not_disturb_until: Some(now - 1),
        };
        let tidy = sent.validated(now).expect("valid");
        assert_eq!(tidy.holidays, vec![date("2026-12-24"), date("2026-12-25")]);
        assert_eq!(tidy.away.len(), 2, "the period that ended is dropped");
        assert_eq!(tidy.away[0].until, now + HOUR, "sorted by start");
        assert_eq!(tidy.away[1].note, "Conference");
        assert_eq!(tidy.do_not_disturb_until, None);
    }

    #[test]
    fn impossible_time_off_is_refused_with_a_code() {
        let now = 1_000 * HOUR;
        let reversed = TimeOff {
            away: vec![Away { from: now + HOUR, until: now, note: String::new() }],
            ..TimeOff::default()
        };
        let too_long_dnd = TimeOff { do_not_disturb_until: Some(now + 32 * 24 * HOUR), ..TimeOff::default() };
        let many = TimeOff {
            away: (0..=MAX_AWAY as i64)
                .map(|i| Away { from: now + i * HOUR, until: now + i * HOUR + 1, note: String::new() })
                .collect(),
            ..TimeOff::default()
        };
        let control = TimeOff {
            away: vec![Away { from: now, until: now + HOUR, note: "back\u{7}soon".into() }],
            ..TimeOff::default()
        };
        for bad in [reversed, too_long_dnd, many, control] {
            assert_eq!(bad.validated(now).expect_err("refused").code(), "invalid_time_off");
        }
        let wordy = TimeOff {
            away: vec![Away { from: now, until: now + HOUR, note: "x".repeat(MAX_AWAY_NOTE_CHARS + 1) }],
            ..TimeOff::default()
        };
        assert_eq!(wordy.validated(now).expect_err("long note").code(), "field_too_long");
    }

    #[test]
    fn an_empty_profile_reads_from_nothing_and_writes_nothing() {
        let empty: TimeOff = serde_json::from_str("{}").expect("parses");
        assert!(empty.is_empty());
        assert_eq!(serde_json::to_string(&empty).expect("serialises"), "{}");
        let dated: TimeOff = serde_json::from_str(r#"{"holidays":["2026-12-25"]}"#).expect("parses");
        assert_eq!(dated.holidays, vec![date("2026-12-25")]);
    }
}
