//! Scheduled replies: "send at their morning" or at a chosen time. The server keeps them and
//! posts them then, even with this app closed; these commands queue them, list them, withdraw
//! them, and send or put away one that failed.

use super::files::AttachmentView;
use super::threads::{MentionChoice, compose, pending_view};
use super::{known_thread, parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use crate::views::{MessageView, RecipientPreview};
use meridian_domain::availability::{Availability, Urgency, preview_landing};
use meridian_domain::local_time::{in_zone, weekday_time};
use meridian_domain::schedule::{Morning, earliest_next_morning};
use meridian_domain::time_tokens::place_name;
use meridian_domain::{MessageId, ThreadId, UnixMillis, User};
use meridian_store::{ReplyOptions, ScheduledRow, ScheduledStatus, StoreError};
use serde::Serialize;
use tauri::State;

/// One scheduled reply as the composer and the scheduled list show it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledView {
    pub message_id: String,
    pub thread_id: String,
    pub channel_id: String,
    pub thread_title: String,
    pub channel_name: String,
    /// The text as written (with tokens), for putting back into the composer.
    pub body: String,
    pub urgent: bool,
    /// Unix milliseconds.
    pub deliver_at: i64,
    /// "Thu 09:00" in the reader's zone, with the date when it is a week or more away.
    pub when: String,
    /// `pending` or `failed`.
    pub state: &'static str,
    /// Whether the server holds it yet.
    pub confirmed: bool,
    /// Why it failed.
    pub error: Option<String>,
}

impl ScheduledView {
    fn new(row: ScheduledRow, reader: chrono_tz::Tz, now: UnixMillis) -> Self {
        let (state, confirmed, error) = match row.status {
            ScheduledStatus::Pending { confirmed } => ("pending", confirmed, None),
            ScheduledStatus::Failed { reason } => ("failed", false, Some(reason)),
        };
        Self {
            message_id: row.message_id.to_string(),
            thread_id: row.thread_id.to_string(),
            channel_id: row.channel_id.to_string(),
            thread_title: row.thread_title,
            channel_name: row.channel_name,
            body: row.body,
            urgent: row.urgent,
            deliver_at: row.deliver_at,
            when: when_label(reader, row.deliver_at, now),
            state,
            confirmed,
            error,
        }
    }
}

/// When a reply sent at "their morning" would land, and when each recipient would hear of it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MorningLanding {
    /// Unix milliseconds.
    pub at: i64,
    /// "Wed 21:00" in the reader's zone.
    pub local: String,
    /// "Thu 09:00 Tokyo": the wall time of the recipient whose morning comes first.
    pub there: String,
}

/// For the composer: who hears about a reply and when, sent now or at their morning.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPreview {
    pub recipients: Vec<RecipientPreview>,
    /// Set when asked about "their morning" and someone is there to have one.
    pub lands: Option<MorningLanding>,
}

/// "Send at their morning": the reply lands at the first recipient's next working start, and
/// each other recipient's notifier holds it until their own day starts.
pub(crate) fn morning_preview(
    recipients: &[User],
    reader: chrono_tz::Tz,
    now: UnixMillis,
    urgency: Urgency,
) -> DeliveryPreview {
    let availabilities: Vec<Availability> = recipients.iter().map(Availability::of).collect();
    let Some(Morning { at, first }) = earliest_next_morning(&availabilities, now) else {
        return DeliveryPreview { recipients: Vec::new(), lands: None };
    };
    let first = availabilities[first].zone;
    let recipients = recipients
        .iter()
        .zip(&availabilities)
        .map(|(user, them)| {
            RecipientPreview::new(user, preview_landing(them, at, now, urgency, crate::hour_cycle::current()))
        })
        .collect();
    let lands = MorningLanding {
        at,
        local: weekday_time(reader, at, crate::hour_cycle::current()),
        there: format!("{} {}", weekday_time(first, at, crate::hour_cycle::current()), place_name(first)),
    };
    DeliveryPreview { recipients, lands: Some(lands) }
}

/// Schedules a reply in `thread_id`, at `deliver_at` (Unix ms) or, with `their_morning`, at the
/// start of the first recipient's next working day. Shows at once, offline too.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn schedule_reply(
    state: State<'_, AppState>,
    thread_id: String,
    body: String,
    mentions: Option<Vec<MentionChoice>>,
    attachments: Option<Vec<AttachmentView>>,
    urgent: Option<bool>,
    deliver_at: Option<i64>,
    their_morning: Option<bool>,
) -> CommandResult<ScheduledView> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let attachments = attachments
        .unwrap_or_default()
        .into_iter()
        .map(AttachmentView::into_attachment)
        .collect::<CommandResult<Vec<_>>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let mentions = mentions.unwrap_or_default();
    let deliver_at = match (deliver_at, their_morning.unwrap_or(false)) {
        (Some(at), false) => at,
        (None, true) => {
            let mentioned: Vec<String> = mentions.iter().map(|choice| choice.user_id.clone()).collect();
            let recipients = super::people::reply_recipients(session, thread_id, &mentioned).await?;
            let availabilities: Vec<Availability> = recipients.iter().map(Availability::of).collect();
            let morning = earliest_next_morning(&availabilities, now).ok_or_else(|| {
                CommandError::new(
                    "no_recipients",
                    "Nobody else is in this thread yet, so there is no morning to aim for. Pick a time instead.",
                )
            })?;
            morning.at
        }
        _ => {
            return Err(CommandError::new("invalid_input", "Give either a time or their morning, not both."));
        }
    };
    let body = compose(session, &body, mentions, now)?;
    let options = ReplyOptions { attachments, urgent: urgent.unwrap_or(false) };
    let message_id = session.store.schedule_reply(thread_id, &body, options, deliver_at, now).await?;
    session.sync_now();
    let row = session
        .store
        .scheduled_replies()
        .await?
        .into_iter()
        .find(|row| row.message_id == message_id)
        .ok_or_else(|| CommandError::new("internal", "the scheduled reply vanished"))?;
    Ok(ScheduledView::new(row, Availability::of(&session.me()).zone, now))
}

/// Scheduled replies still to land and failed ones, soonest first; those of one thread if given.
#[tauri::command]
pub async fn scheduled_replies(
    state: State<'_, AppState>,
    thread_id: Option<String>,
) -> CommandResult<Vec<ScheduledView>> {
    let thread_id: Option<ThreadId> = thread_id.map(|id| parse_id(&id, "thread")).transpose()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    if let Some(thread_id) = thread_id {
        known_thread(session, thread_id).await?;
    }
    let reader = Availability::of(&session.me()).zone;
    let now = state.clock().now_millis();
    Ok(session
        .store
        .scheduled_replies()
        .await?
        .into_iter()
        .filter(|row| thread_id.is_none_or(|thread| row.thread_id == thread))
        .map(|row| ScheduledView::new(row, reader, now))
        .collect())
}

/// Withdraws a scheduled reply that has not landed; answers its text, so "Edit" can put it back
/// into the composer.
#[tauri::command]
pub async fn cancel_scheduled(state: State<'_, AppState>, message_id: String) -> CommandResult<String> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let body = session.store.cancel_scheduled(message_id, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(body)
}

/// Puts away a failed scheduled reply, on every device of the signed-in person; answers its text,
/// for sending it another way.
#[tauri::command]
pub async fn dismiss_scheduled(state: State<'_, AppState>, message_id: String) -> CommandResult<String> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let body = session
        .store
        .dismiss_scheduled(message_id, state.clock().now_millis())
        .await
        .map_err(no_longer_failed)?;
    session.sync_now();
    Ok(body)
}

/// "Send now" for a failed scheduled reply: posts it as an ordinary reply, with its text, files
/// and urgency, and puts the failed one away on every device. Answers the reply as the thread
/// shows it.
#[tauri::command]
pub async fn send_scheduled_now(
    state: State<'_, AppState>,
    message_id: String,
) -> CommandResult<MessageView> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let message =
        session.store.send_scheduled_now(session.me().id, message_id, now).await.map_err(no_longer_failed)?;
    session.sync_now();
    pending_view(session, message).await
}

/// Says plainly why a failed reply could not be sent or put away.
fn no_longer_failed(error: StoreError) -> CommandError {
    match error {
        StoreError::NotFound("thread") => CommandError::new(
            "not_found",
            "Its thread is no longer on this device, so the reply cannot be sent there.",
        ),
        StoreError::NotFound(_) => {
            CommandError::new("not_found", "That reply is no longer waiting here; it was sent or put away.")
        }
        other => other.into(),
    }
}

/// "Thu 09:00" within the coming week, "Thu 14 Jan 09:00" further out, in the reader's zone.
fn when_label(reader: chrono_tz::Tz, at: UnixMillis, now: UnixMillis) -> String {
    const SIX_DAYS: i64 = 6 * 24 * 3_600_000;
    if (at - now).abs() < SIX_DAYS {
        weekday_time(reader, at, crate::hour_cycle::current())
    } else {
        let local = in_zone(reader, at);
        format!("{} {}", local.format("%a %-d %b"), crate::hour_cycle::current().clock(local.time()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::local_time::local_instant;
    use meridian_domain::{Role, UserId};

    fn person(name: &str, zone: &str) -> User {
        User {
            id: UserId::new(),
            display_name: name.into(),
            time_zone: zone.into(),
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        }
    }

    #[test]
    fn their_morning_lands_at_the_first_morning_and_tells_each_at_their_own() {
        let (berlin, tokyo) = (chrono_tz::Europe::Berlin, chrono_tz::Asia::Tokyo);
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        // Tuesday 20:00 in Berlin, Wednesday 04:00 in Tokyo; the reader is in Berlin.
        let now = local_instant(berlin, day(1), 20 * 60);
        let people = [person("Kenji", "Asia/Tokyo"), person("Greta", "Europe/Berlin")];
        let preview = morning_preview(&people, berlin, now, Urgency::Normal);
        let lands = preview.lands.expect("someone has a morning");
        assert_eq!(lands.at, local_instant(tokyo, day(2), 9 * 60));
        assert_eq!(lands.there, "Wed 09:00 Tokyo");
        assert_eq!(lands.local, "Wed 01:00");
        let labels: Vec<(&str, bool, &str)> =
            preview.recipients.iter().map(|r| (r.name.as_str(), r.now, r.label.as_str())).collect();
        assert_eq!(
            labels,
            [
                ("Kenji", true, "09:00 Wed their time — in 5 h"),
                ("Greta", false, "09:00 Wed their time — in 13 h")
            ]
        );
    }

    #[test]
    fn nobody_to_write_to_has_no_morning() {
        let preview = morning_preview(&[], chrono_tz::UTC, 0, Urgency::Normal);
        assert!(preview.lands.is_none() && preview.recipients.is_empty());
    }

    #[test]
    fn far_times_carry_their_date() {
        let now = local_instant(chrono_tz::UTC, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("d"), 0);
        assert_eq!(when_label(chrono_tz::UTC, now + 3_600_000, now), "Tue 01:00");
        assert_eq!(when_label(chrono_tz::UTC, now + 10 * 86_400_000, now), "Fri 11 Dec 00:00");
    }
}
