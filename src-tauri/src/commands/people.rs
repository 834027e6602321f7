//! People as a teammate sees them: where they are in their day.

use super::parse_id;
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use meridian_domain::availability::{Availability, Status, status};
use meridian_domain::local_time::{in_zone, utc_offset_minutes, wait_label, weekday_time};
use meridian_domain::{UserId, describe_week};
use serde::Serialize;
use tauri::State;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonCard {
    pub id: String,
    pub display_name: String,
    pub time_zone: String,
    pub role: &'static str,
    /// "14:05 Tue" on their wall clock now.
    pub local_time: String,
    /// Their offset from the reader, "+5 h 30 min" or "same time".
    pub offset: String,
    /// Whether they are in working time now.
    pub working: bool,
    /// "Working until 17:00" or "Off · back 09:00 Wed their time — in 14 h".
    pub status: String,
    /// "Mon–Fri 09:00–17:00", or what their profile says.
    pub hours: String,
    /// Whether `hours` is assumed because they have not said.
    pub hours_assumed: bool,
    /// What they wrote on the time away they are in now ("Parental leave").
    pub away_note: Option<String>,
}

#[tauri::command]
pub async fn person_card(state: State<'_, AppState>, user_id: String) -> CommandResult<PersonCard> {
    let user_id: UserId = parse_id(&user_id, "user")?;
    let guard = state.session().await;
    let session = guard.as_ref().ok_or_else(CommandError::signed_out)?;
    let user = session
        .store
        .user(user_id)
        .await?
        .ok_or_else(|| CommandError::new("not_found", "That person is not on this device."))?;
    let now = state.clock().now_millis();
    let them = Availability::of(&user);
    let me = Availability::of(&session.me);
    let (working, status) = describe_status(&them, now);
    let away_note = user
        .time_off
        .away
        .iter()
        .find(|away| away.from <= now && now < away.until && !away.note.is_empty())
        .map(|away| away.note.clone());
    Ok(PersonCard {
        id: user.id.to_string(),
        display_name: user.display_name.clone(),
        time_zone: user.time_zone.clone(),
        role: user.role.as_str(),
        local_time: swap(&weekday_time(them.zone, now)),
        offset: offset_label(&me, &them, now),
        working,
        status,
        hours: describe_week(user.working_hours.as_ref()),
        hours_assumed: user.working_hours.as_ref().is_none_or(|week| week.is_empty()),
        away_note,
    })
}

/// Whether `them` works at `now`, and their status as a teammate reads it: "Working until 17:00",
/// "Away · back 09:00 Mon their time — in 3 days".
pub(crate) fn describe_status(them: &Availability, now: i64) -> (bool, String) {
    let back =
        |at: i64| format!("back {} their time — {}", swap(&weekday_time(them.zone, at)), wait_label(now, at));
    match status(them, now) {
        Status::Working { until } => (true, format!("Working until {}", clock(them.zone, until))),
        Status::DoNotDisturb { until } => (false, format!("Do not disturb · {}", back(until))),
        Status::Away { until } => (false, format!("Away · {}", back(until))),
        Status::Holiday { next } => {
            (false, next.map_or("On holiday".to_owned(), |at| format!("On holiday · {}", back(at))))
        }
        Status::OffHours { next } => {
            (false, next.map_or("Off".to_owned(), |at| format!("Off · {}", back(at))))
        }
    }
}

/// "Tue 09:00" as "09:00 Tue".
fn swap(day_time: &str) -> String {
    day_time.split_once(' ').map_or_else(|| day_time.to_owned(), |(day, time)| format!("{time} {day}"))
}

fn clock(zone: chrono_tz::Tz, at: i64) -> String {
    in_zone(zone, at).format("%H:%M").to_string()
}

/// How far their wall clock is from the reader's, now.
fn offset_label(me: &Availability, them: &Availability, now: i64) -> String {
    let minutes = utc_offset_minutes(them.zone, now) - utc_offset_minutes(me.zone, now);
    if minutes == 0 {
        return "same time as you".to_owned();
    }
    let sign = if minutes > 0 { "+" } else { "−" };
    let (hours, rest) = (minutes.abs() / 60, minutes.abs() % 60);
    match rest {
        0 => format!("{sign}{hours} h from you"),
        _ => format!("{sign}{hours} h {rest} min from you"),
    }
}
