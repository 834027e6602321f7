//! People as a teammate sees them: where they are in their day.

use super::{known_person, known_thread, parse_id, signed_in};
use crate::error::CommandResult;
use crate::session::{AppState, Session};
use meridian_domain::availability::{Availability, Status, handoff_order, status};
use meridian_domain::local_time::{in_zone, utc_offset_minutes, wait_label, weekday_time};
use meridian_domain::{ThreadId, User, UserId, describe_week};
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
    let session = signed_in(&guard)?;
    let user = known_person(session, user_id).await?;
    let now = state.clock().now_millis();
    let them = Availability::of(&user);
    let me = Availability::of(&session.me());
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
        local_time: swap(&weekday_time(them.zone, now, crate::hour_cycle::current())),
        offset: offset_label(&me, &them, now),
        working,
        status,
        hours: describe_week(user.working_hours.as_ref(), crate::hour_cycle::current()),
        hours_assumed: user.working_hours.as_ref().is_none_or(|week| week.is_empty()),
        away_note,
    })
}

/// Whether `them` works at `now`, and their status as a teammate reads it: "Working until 17:00",
/// "Away · back 09:00 Mon their time — in 3 days".
pub(crate) fn describe_status(them: &Availability, now: i64) -> (bool, String) {
    let back = |at: i64| {
        format!(
            "back {} their time — {}",
            swap(&weekday_time(them.zone, at, crate::hour_cycle::current())),
            wait_label(now, at)
        )
    };
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
    crate::hour_cycle::current().clock(in_zone(zone, at).time())
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

/// Someone who could take a thread over, in the order [`handoff_candidates`] gives.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffCandidate {
    pub id: String,
    pub display_name: String,
    pub working_now: bool,
    /// "Working now, until 17:00 their time" or "Starts 09:00 Thu their time — in 7 h".
    pub when: String,
}

/// The people in a thread other than me, in the order they can carry it on: whoever works now
/// first, then by when their working time starts.
#[tauri::command]
pub async fn handoff_candidates(
    state: State<'_, AppState>,
    thread_id: String,
) -> CommandResult<Vec<HandoffCandidate>> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let mut people = Vec::new();
    for id in people_in_thread(session, thread_id).await? {
        if let Some(user) = session.store.user(id).await? {
            let availability = Availability::of(&user);
            people.push(((user, availability.clone()), availability));
        }
    }
    Ok(handoff_order(people, now)
        .into_iter()
        .map(|((user, them), from)| {
            let zone = them.zone;
            let working_now = from <= now;
            let when = match status(&them, now) {
                Status::Working { until } if working_now => {
                    format!("Working now, until {} their time", clock(zone, until))
                }
                _ => format!(
                    "Starts {} their time — {}",
                    swap(&weekday_time(zone, from, crate::hour_cycle::current())),
                    wait_label(now, from)
                ),
            };
            HandoffCandidate { id: user.id.to_string(), display_name: user.display_name, working_now, when }
        })
        .collect())
}

/// Who a reply in `thread_id` concerns besides me (see [`meridian_store::LocalStore::thread_people`]).
pub(crate) async fn people_in_thread(session: &Session, thread_id: ThreadId) -> CommandResult<Vec<UserId>> {
    known_thread(session, thread_id).await?;
    Ok(session.store.thread_people(session.me().id, thread_id).await?)
}

/// Everyone a reply in `thread_id` would notify: the thread's people, then anyone `mentioned`
/// (user ids as the composer sends them), never me, each once; people this device does not know
/// are left out (see [`meridian_store::LocalStore::reply_recipients`]).
pub(crate) async fn reply_recipients(
    session: &Session,
    thread_id: ThreadId,
    mentioned: &[String],
) -> CommandResult<Vec<User>> {
    let mentioned: Vec<UserId> =
        mentioned.iter().map(|mention| parse_id(mention, "user")).collect::<CommandResult<_>>()?;
    known_thread(session, thread_id).await?;
    Ok(session.store.reply_recipients(session.me().id, thread_id, &mentioned).await?)
}
