//! When a person can be reached: their zone, weekly working hours, holidays, time away and
//! do-not-disturb, in one model.
//!
//! Everything that decides "is Y working?" or "when does this reach Y?" goes through
//! [`Availability::working_spans`], which turns the local week into absolute instants. Local
//! times are resolved in the person's zone on each date, so daylight-saving changes, half-hour and
//! 45-minute offsets need no special cases further up.

mod delivery;
mod handoff;
mod preview;
#[cfg(test)]
mod tests;

pub use delivery::{Delivery, Status, Urgency, deliver_at, delivery, end_of_workday, reply_due, status};
pub use handoff::handoff_order;
pub use preview::{RecipientDelivery, preview, preview_landing, their_next_morning};

use crate::clock::UnixMillis;
use crate::hours::{TimeSpan, WorkingHours};
use crate::local_time::{self, local_instant};
use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Hours assumed for someone who has not said when they work: Monday to Friday, 09:00–17:00 in
/// their zone. Assuming "always" would page people at night, which is what this model prevents.
pub const OFFICE_HOURS: TimeSpan = TimeSpan { start: 9 * 60, end: 17 * 60 };

/// Office hours are assumed on the first five days of the week, Monday to Friday.
const OFFICE_DAYS: usize = 5;

/// The week assumed for someone who has not said when they work, as a week: [`OFFICE_HOURS`] on
/// Monday to Friday. (Deciding delivery reads the same rule per day, without building a week.)
pub fn office_week() -> WorkingHours {
    let day = |index: usize| if index < OFFICE_DAYS { vec![OFFICE_HOURS] } else { Vec::new() };
    WorkingHours::new(std::array::from_fn(day)).unwrap_or_default()
}

/// How far ahead a search for working time looks before giving up (a long leave, a week with no
/// hours): a year and a bit, so yearly holidays and long leaves are all seen.
pub const SEARCH_DAYS: u64 = 400;

/// A half-open span of absolute time, `[from, until)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub from: UnixMillis,
    pub until: UnixMillis,
}

impl Period {
    pub fn contains(&self, at: UnixMillis) -> bool {
        self.from <= at && at < self.until
    }
}

/// Everything about one person that decides when they may be notified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Availability {
    pub zone: Tz,
    /// Their week; `None` (or a week without hours) means [`OFFICE_HOURS`] on weekdays.
    pub week: Option<WorkingHours>,
    /// Local dates they do not work, whatever the week says.
    pub holidays: BTreeSet<NaiveDate>,
    /// Time away (leave, travel), in absolute time.
    pub away: Vec<Period>,
    /// Notifications are paused until this instant, even urgent ones.
    pub do_not_disturb_until: Option<UnixMillis>,
}

impl Availability {
    /// Someone in `zone` with the default office hours and nothing else set.
    pub fn in_zone(zone: Tz) -> Self {
        Self { zone, week: None, holidays: BTreeSet::new(), away: Vec::new(), do_not_disturb_until: None }
    }

    /// What a profile says: their zone (UTC if it is not a known zone), their week, holidays,
    /// time away and do-not-disturb.
    pub fn of(user: &crate::model::User) -> Self {
        let zone = user.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let time_off = &user.time_off;
        Self {
            zone,
            week: user.working_hours.clone(),
            holidays: time_off.holidays.iter().copied().collect(),
            away: time_off.away.iter().map(|away| Period { from: away.from, until: away.until }).collect(),
            do_not_disturb_until: time_off.do_not_disturb_until,
        }
    }

    pub fn with_week(mut self, week: WorkingHours) -> Self {
        self.week = Some(week);
        self
    }

    /// The spans of local weekday `index` (0 is Monday) this person works.
    fn day_spans(&self, index: usize) -> Vec<TimeSpan> {
        match &self.week {
            Some(week) if !week.is_empty() => week.day(index).to_vec(),
            _ if index < OFFICE_DAYS => vec![OFFICE_HOURS],
            _ => Vec::new(),
        }
    }

    /// The periods this person works that end after `from`, in order, for [`SEARCH_DAYS`]:
    /// the week laid on each local date, minus holidays and time away, with periods that touch
    /// (a shift through midnight) joined into one.
    pub fn working_spans(&self, from: UnixMillis) -> impl Iterator<Item = Period> + '_ {
        let first_day = self.local_date(from).pred_opt().unwrap_or(NaiveDate::MIN);
        let days = (0..SEARCH_DAYS).filter_map(move |offset| first_day.checked_add_days(Days::new(offset)));
        let raw = days
            .filter(|date| !self.holidays.contains(date))
            .flat_map(move |date| {
                let index = date.weekday().num_days_from_monday() as usize;
                self.day_spans(index).into_iter().map(move |span| Period {
                    from: self.instant(date, span.start),
                    until: self.instant(date, span.end),
                })
            })
            .flat_map(move |period| subtract(period, &self.away))
            .filter(move |period| period.until > from && period.from < period.until);
        Joined { inner: raw, pending: None }
    }

    /// The local calendar date at `at` in this person's zone.
    pub fn local_date(&self, at: UnixMillis) -> NaiveDate {
        local_time::local_date(self.zone, at)
    }

    /// The instant of local `date` + `minutes` in this person's zone (see [`local_instant`]).
    pub fn instant(&self, date: NaiveDate, minutes: u16) -> UnixMillis {
        local_instant(self.zone, date, minutes)
    }
}

/// `period` with every part covered by `holes` cut out; holes may overlap each other.
fn subtract(period: Period, holes: &[Period]) -> Vec<Period> {
    let mut pieces = vec![period];
    for hole in holes {
        pieces = pieces
            .into_iter()
            .flat_map(|piece| {
                if hole.until <= piece.from || hole.from >= piece.until {
                    return vec![piece];
                }
                [
                    Period { from: piece.from, until: hole.from },
                    Period { from: hole.until, until: piece.until },
                ]
                .into_iter()
                .filter(|part| part.from < part.until)
                .collect()
            })
            .collect();
    }
    pieces
}

/// Joins consecutive periods that touch or overlap.
struct Joined<I> {
    inner: I,
    pending: Option<Period>,
}

impl<I: Iterator<Item = Period>> Iterator for Joined<I> {
    type Item = Period;

    fn next(&mut self) -> Option<Period> {
        loop {
            match (self.pending.take(), self.inner.next()) {
                (None, None) => return None,
                (Some(current), None) => return Some(current),
                (None, Some(next)) => self.pending = Some(next),
                (Some(current), Some(next)) if next.from <= current.until => {
                    self.pending = Some(Period { from: current.from, until: current.until.max(next.until) });
                }
                (Some(current), Some(next)) => {
                    self.pending = Some(next);
                    return Some(current);
                }
            }
        }
    }
}
