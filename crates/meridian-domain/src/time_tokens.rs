//! Times written in messages. A typed phrase such as "3pm tomorrow" or "Tue 09:30" is read in its
//! author's zone when the message is sent and stored as a token, `<t:MILLIS:ZONE>`, so each
//! reader sees the moment in their own zone with the author's zone named beside it.
//!
//! The token form is plain text to Markdown (a one-letter scheme is not an autolink), so a body
//! stays readable in clients that do not understand it.

use crate::clock::UnixMillis;
use crate::local_time::{HourCycle, in_zone, local_date, local_instant};
use chrono::{Datelike, Days, Weekday};
use chrono_tz::Tz;
use std::ops::Range;

/// A moment written in a message, with the zone of the person who wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeToken {
    pub at: UnixMillis,
    pub zone: Tz,
}

impl TimeToken {
    /// The form stored in message bodies.
    pub fn encode(&self) -> String {
        format!("<t:{}:{}>", self.at, self.zone.name())
    }

    /// How a reader in `reader_zone` sees it: their wall time, and the author's when it differs.
    pub fn label_for(&self, reader_zone: Tz, cycle: HourCycle) -> TokenLabel {
        let local = in_zone(reader_zone, self.at);
        let origin = in_zone(self.zone, self.at);
        let same_wall_time = local.naive_local() == origin.naive_local();
        TokenLabel {
            local: format!("{}, {}", local.format("%a %-d %b"), cycle.clock(local.time())),
            origin: (!same_wall_time)
                .then(|| format!("{} {}", cycle.clock(origin.time()), place_name(self.zone))),
        }
    }
}

/// A token as one reader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLabel {
    /// "Thu 26 Nov, 15:00" in the reader's zone.
    pub local: String,
    /// "09:00 New York": the author's wall time, when it differs from the reader's.
    pub origin: Option<String>,
}

/// "New York" for `America/New_York`: the last part of the zone name, readable.
pub fn place_name(zone: Tz) -> String {
    zone.name().rsplit('/').next().unwrap_or(zone.name()).replace('_', " ")
}

/// Every well-formed token in `body`, with its byte range. Malformed ones are left as text.
pub fn find_tokens(body: &str) -> Vec<(Range<usize>, TimeToken)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = body[from..].find("<t:") {
        let start = from + offset;
        let parsed = body[start..].find('>').and_then(|close| {
            let (millis, zone) = body[start + 3..start + close].split_once(':')?;
            let valid_millis = !millis.is_empty() && millis.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            let token =
                TimeToken { at: millis.parse().ok().filter(|_| valid_millis)?, zone: zone.parse().ok()? };
            Some((start..start + close + 1, token))
        });
        match parsed {
            Some((range, token)) => {
                from = range.end;
                found.push((range, token));
            }
            None => from = start + 3,
        }
    }
    found
}

/// Every phrase in `text` that names a time, with its byte range and the instant it means to an
/// author in `zone` at `now`. A bare time is its next occurrence; a weekday is the next such day
/// (today if the time is still ahead); "next Tue" is never today.
pub fn typed_times(text: &str, now: UnixMillis, zone: Tz) -> Vec<(Range<usize>, UnixMillis)> {
    let words = words(text);
    let mut found = Vec::new();
    let mut index = 0;
    while index < words.len() {
        match phrase_at(&words, index) {
            Some((phrase, end)) => {
                found.push((
                    words[phrase.first].range.start..words[end - 1].range.end,
                    phrase.resolve(now, zone),
                ));
                index = end;
            }
            None => index += 1,
        }
    }
    found
}

/// `text` with each typed time replaced by its token.
pub fn tokenize_typed_times(text: &str, now: UnixMillis, zone: Tz) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, at) in typed_times(text, now, zone) {
        out.push_str(&text[copied..range.start]);
        out.push_str(&TimeToken { at, zone }.encode());
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    out
}

struct Word<'a> {
    text: String,
    raw: &'a str,
    range: Range<usize>,
}

/// Runs of letters, digits and colons, lower-cased.
fn words(text: &str) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    let mut start = None;
    for (index, ch) in text.char_indices().chain([(text.len(), ' ')]) {
        let part_of_word = ch.is_ascii_alphanumeric() || ch == ':';
        match (start, part_of_word) {
            (None, true) => start = Some(index),
            (Some(from), false) => {
                let raw = &text[from..index];
                words.push(Word { text: raw.to_ascii_lowercase(), raw, range: from..index });
                start = None;
            }
            _ => {}
        }
    }
    words
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Day {
    InDays(u64),
    Weekday { day: Weekday, not_today: bool },
}

struct Phrase {
    first: usize,
    day: Option<Day>,
    minutes: u16,
}

impl Phrase {
    fn resolve(&self, now: UnixMillis, zone: Tz) -> UnixMillis {
        let today = local_date(zone, now);
        let on = |days: u64| {
            local_instant(zone, today.checked_add_days(Days::new(days)).unwrap_or(today), self.minutes)
        };
        match self.day {
            Some(Day::InDays(days)) => on(days),
            Some(Day::Weekday { day, not_today }) => (u64::from(not_today)..=7)
                .find(|&k| {
                    let date = today.checked_add_days(Days::new(k)).unwrap_or(today);
                    date.weekday() == day && (k > 0 || on(0) > now)
                })
                .map_or_else(|| on(7), on),
            None if on(0) > now => on(0),
            None => on(1),
        }
    }
}

/// A time phrase starting at word `first`, and the index just past it.
fn phrase_at(words: &[Word<'_>], first: usize) -> Option<(Phrase, usize)> {
    if let Some((day, after_day)) = day_at(words, first) {
        let at = skip(words, after_day, &["at", "around"]);
        if let Some((minutes, end)) = time_at(words, at) {
            return Some((Phrase { first, day: Some(day), minutes }, end));
        }
        return None;
    }
    let (minutes, after_time) = time_at(words, first)?;
    let on = skip(words, after_time, &["on"]);
    match day_at(words, on) {
        Some((day, end)) => Some((Phrase { first, day: Some(day), minutes }, end)),
        None => Some((Phrase { first, day: None, minutes }, after_time)),
    }
}

fn skip(words: &[Word<'_>], index: usize, fillers: &[&str]) -> usize {
    match words.get(index) {
        Some(word) if fillers.contains(&word.text.as_str()) => index + 1,
        _ => index,
    }
}

fn day_at(words: &[Word<'_>], index: usize) -> Option<(Day, usize)> {
    let word = words.get(index)?;
    match word.text.as_str() {
        "today" => Some((Day::InDays(0), index + 1)),
        "tomorrow" => Some((Day::InDays(1), index + 1)),
        "next" => {
            let day = weekday(&words.get(index + 1)?.text)?;
            Some((Day::Weekday { day, not_today: true }, index + 2))
        }
        text => Some((Day::Weekday { day: weekday(text)?, not_today: false }, index + 1)),
    }
}

fn weekday(word: &str) -> Option<Weekday> {
    const NAMES: [(Weekday, &[&str]); 7] = [
        (Weekday::Mon, &["mon", "monday"]),
        (Weekday::Tue, &["tue", "tues", "tuesday"]),
        (Weekday::Wed, &["wed", "weds", "wednesday"]),
        (Weekday::Thu, &["thu", "thur", "thurs", "thursday"]),
        (Weekday::Fri, &["fri", "friday"]),
        (Weekday::Sat, &["sat", "saturday"]),
        (Weekday::Sun, &["sun", "sunday"]),
    ];
    NAMES.iter().find(|(_, names)| names.contains(&word)).map(|(day, _)| *day)
}

/// A time of day at word `index`: "3pm", "3:30 pm", "15:00", "noon". A bare number is not a time.
fn time_at(words: &[Word<'_>], index: usize) -> Option<(u16, usize)> {
    let word = words.get(index)?;
    if word.text == "noon" {
        return Some((12 * 60, index + 1));
    }
    let (clock, meridiem, end) = match word.text.strip_suffix("am").or_else(|| word.text.strip_suffix("pm")) {
        Some(clock) => (clock, Some(word.text.ends_with("pm")), index + 1),
        None => match words.get(index + 1).map(|next| next.text.as_str()) {
            Some(next @ ("am" | "pm")) => (word.text.as_str(), Some(next == "pm"), index + 2),
            _ => (word.text.as_str(), None, index + 1),
        },
    };
    let (hours, minutes) = match clock.split_once(':') {
        Some((hours, minutes)) if minutes.len() == 2 => (hours, minutes),
        Some(_) => return None,
        None if meridiem.is_some() => (clock, "00"),
        None => return None,
    };
    let digits = |part: &str| !part.is_empty() && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) || word.raw.starts_with(':') {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let hours = match meridiem {
        Some(pm) if (1..=12).contains(&hours) => hours % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None if hours < 24 => hours,
        None => return None,
    };
    (minutes < 60).then_some((hours * 60 + minutes, end))
}

#[cfg(test)]
mod tests;
