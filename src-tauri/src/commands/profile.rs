//! The signed-in person's own profile: name, zone, working week, holidays, time away and
//! do-not-disturb.
//!
//! Changes go straight to the team server rather than through the outbox: teammates plan around
//! these hours, so the app says "saved" only once the server has them. They reach the person's
//! other devices, and everyone else's, by sync.

use super::people::describe_status;
use super::{invalid, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use meridian_domain::availability::{Availability, office_week, their_next_morning};
use meridian_domain::local_time::{in_zone, local_date, local_instant};
use meridian_domain::time_off::MAX_DO_NOT_DISTURB_MILLIS;
use meridian_domain::{Away, RawWorkingHours, TimeOff, UnixMillis, User, WorkingHours, validate};
use meridian_protocol::UpdateProfileRequest;
use meridian_sync::ApiClient;
use serde::{Deserialize, Serialize};
use tauri::State;

/// A period away as whole local days, first and last included, as the profile form edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwayDays {
    /// `YYYY-MM-DD` in the person's zone.
    pub first_day: String,
    pub last_day: String,
    pub note: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyProfile {
    pub display_name: String,
    pub time_zone: String,
    /// Their week, or the office hours assumed while they have not said (see `hours_assumed`).
    pub week: RawWorkingHours,
    pub hours_assumed: bool,
    /// `YYYY-MM-DD` local dates, in order.
    pub holidays: Vec<String>,
    pub away: Vec<AwayDays>,
    pub do_not_disturb_until: Option<UnixMillis>,
    /// "Working until 17:00", "Do not disturb · back 15:30 Tue …": what teammates see now.
    pub status: String,
    pub working: bool,
}

/// What the profile form sends: everything but do-not-disturb, which has its own command.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileChange {
    pub display_name: String,
    pub time_zone: String,
    pub week: RawWorkingHours,
    pub holidays: Vec<String>,
    pub away: Vec<AwayDays>,
}

/// How long to pause notifications.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase", tag = "pause")]
pub enum Pause {
    For { minutes: u32 },
    UntilNextWorkday,
    Off,
}

#[tauri::command]
pub async fn my_profile(state: State<'_, AppState>) -> CommandResult<MyProfile> {
    Ok(profile_view(&signed_in(&state.session().await)?.me(), state.clock().now_millis()))
}

#[tauri::command]
pub async fn update_profile(state: State<'_, AppState>, change: ProfileChange) -> CommandResult<MyProfile> {
    let now = state.clock().now_millis();
    let (me, api) = me_and_api(&state).await?;
    let zone = validate::time_zone(change.time_zone.trim()).map_err(invalid)?;
    let week = WorkingHours::try_from(change.week.clone()).map_err(invalid)?;
    let holidays = change.holidays.iter().map(|day| parse_day(day)).collect::<CommandResult<Vec<_>>>()?;
    let away = change
        .away
        .iter()
        .map(|days| {
            let (first, last) = (parse_day(&days.first_day)?, parse_day(&days.last_day)?);
            if last < first {
                return Err(CommandError::new(
                    "invalid_time_off",
                    "A time away must end on or after its first day.",
                ));
            }
            let after_last = last.succ_opt().unwrap_or(last);
            Ok(Away {
                from: local_instant(zone, first, 0),
                until: local_instant(zone, after_last, 0),
                note: days.note.clone(),
            })
        })
        .collect::<CommandResult<Vec<_>>>()?;
    let time_off = TimeOff { holidays, away, do_not_disturb_until: me.time_off.do_not_disturb_until };
    let time_off = time_off.validated(now).map_err(invalid)?;
    let request = UpdateProfileRequest {
        display_name: Some(validate::display_name(&change.display_name).map_err(invalid)?),
        time_zone: Some(zone.name().to_owned()),
        working_hours: Some(week.into()),
        time_off: Some(time_off),
    };
    save(&state, &api, &request, now).await
}

#[tauri::command]
pub async fn pause_notifications(state: State<'_, AppState>, pause: Pause) -> CommandResult<MyProfile> {
    let now = state.clock().now_millis();
    let (me, api) = me_and_api(&state).await?;
    let until = match pause {
        Pause::For { minutes } => Some(now + i64::from(minutes) * 60_000),
        Pause::UntilNextWorkday => {
            let mut after_today = Availability::of(&me);
            after_today.do_not_disturb_until = None;
            let tomorrow = local_date(after_today.zone, now).succ_opt().unwrap_or_default();
            Some(their_next_morning(&after_today, local_instant(after_today.zone, tomorrow, 0)))
        }
        Pause::Off => None,
    };
    let until = until.map(|until| until.min(now + MAX_DO_NOT_DISTURB_MILLIS));
    let time_off = TimeOff { do_not_disturb_until: until, ..me.time_off };
    let request = UpdateProfileRequest {
        time_off: Some(time_off.validated(now).map_err(invalid)?),
        ..Default::default()
    };
    save(&state, &api, &request, now).await
}

/// Who is signed in, and the client to their team server: taken out of the session, so the session
/// is not held while a request travels.
async fn me_and_api(state: &AppState) -> CommandResult<(User, ApiClient)> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    Ok((session.me(), session.api.clone()))
}

/// Sends `request`, then keeps the answer as the session's person and has held notifications
/// looked at again, since they may be due sooner or later now.
async fn save(
    state: &AppState,
    api: &ApiClient,
    request: &UpdateProfileRequest,
    now: UnixMillis,
) -> CommandResult<MyProfile> {
    let user = api
        .update_profile(request)
        .await
        .map_err(|error| CommandError::from_server(error, "Your profile could not be saved"))?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.set_me(user);
    session.sync_now();
    session.reconsider_notices();
    Ok(profile_view(&session.me(), now))
}

fn profile_view(me: &User, now: UnixMillis) -> MyProfile {
    let availability = Availability::of(me);
    let zone = availability.zone;
    let hours_assumed = me.working_hours.as_ref().is_none_or(WorkingHours::is_empty);
    let week = match &me.working_hours {
        Some(week) if !week.is_empty() => week.clone().into(),
        _ => office_week().into(),
    };
    let (working, status) = describe_status(&availability, now);
    MyProfile {
        display_name: me.display_name.clone(),
        time_zone: me.time_zone.clone(),
        week,
        hours_assumed,
        holidays: me.time_off.holidays.iter().map(|day| day.to_string()).collect(),
        away: me
            .time_off
            .away
            .iter()
            .map(|away| AwayDays {
                first_day: in_zone(zone, away.from).date_naive().to_string(),
                last_day: in_zone(zone, away.until - 1).date_naive().to_string(),
                note: away.note.clone(),
            })
            .collect(),
        do_not_disturb_until: me.time_off.do_not_disturb_until.filter(|until| *until > now),
        status,
        working,
    }
}

fn parse_day(text: &str) -> CommandResult<chrono::NaiveDate> {
    text.trim()
        .parse()
        .map_err(|_| CommandError::new("invalid_time_off", format!("{text:?} is not a date (YYYY-MM-DD).")))
}
