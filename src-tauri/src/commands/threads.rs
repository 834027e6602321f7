//! Reading and writing conversations: channels, threads, replies, edits, deletes, reactions,
//! drafts, and who will hear about a reply when.

use super::scheduled::DeliveryPreview;
use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::{
    ChannelSummary, MessageView, MessageViews, People, PersonView, RecipientPreview, ThreadSummary,
};
use meridian_domain::availability::{Availability, Urgency, preview};
use meridian_domain::mentions::encode_mentions;
use meridian_domain::time_tokens::tokenize_typed_times;
use meridian_domain::{FollowState, Message, MessageId, ThreadId, UnixMillis, User, UserId};
use meridian_store::{ReplyOptions, ThreadKey};
use serde::Deserialize;
use tauri::State;

/// A person the composer completed after "@", as shown in the text.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentionChoice {
    pub name: String,
    pub user_id: String,
}

#[tauri::command]
pub async fn list_channels(state: State<'_, AppState>) -> CommandResult<Vec<ChannelSummary>> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let channels = session.store.channels().await?;
    let unread = session.store.channel_unread().await?;
    let older = session.store.channels_with_older_history().await?;
    Ok(channels
        .iter()
        .map(|(channel, threads)| {
            let unread = unread.get(&channel.id).copied().unwrap_or(0);
            ChannelSummary::new(channel, *threads, unread, older.contains(&channel.id))
        })
        .collect())
}

/// Threads a channel's list shows unless asked for more: several screens.
const LISTED_THREADS: u32 = 100;
/// The most threads one read answers: the list reads a page at a time, and reads again at most
/// what it holds.
const MAX_LISTED_THREADS: u32 = 20_000;

/// The thread a page of a channel's list goes on after: the last one listed so far.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedAfter {
    pub last_activity_at: UnixMillis,
    pub thread_id: String,
}

/// A channel's `limit` most recently active threads, newest first, or when `after` is given the
/// `limit` that come after that thread (the list reads a page more as the reader scrolls;
/// `ChannelSummary::thread_count` says how many there are).
#[tauri::command]
pub async fn list_threads(
    state: State<'_, AppState>,
    channel_id: String,
    limit: Option<u32>,
    after: Option<ListedAfter>,
) -> CommandResult<Vec<ThreadSummary>> {
    let channel_id = parse_id(&channel_id, "channel")?;
    let limit = limit.unwrap_or(LISTED_THREADS).clamp(1, MAX_LISTED_THREADS);
    let after = after
        .map(|after| {
            let thread_id = parse_id(&after.thread_id, "thread")?;
            CommandResult::Ok(ThreadKey { last_activity_at: after.last_activity_at, thread_id })
        })
        .transpose()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let threads = match after {
        Some(after) => session.store.threads_after(channel_id, after, limit).await?,
        None => session.store.recent_threads(channel_id, limit).await?,
    };
    summaries(session, &threads).await
}

/// Threads as a channel's list shows them.
async fn summaries(
    session: &Session,
    threads: &[meridian_store::ThreadRow],
) -> CommandResult<Vec<ThreadSummary>> {
    let people = People::new(session.store.users().await?);
    Ok(threads.iter().map(|row| people.thread_summary(row, &session.me())).collect())
}

/// The most threads one `listed_threads` names: those one change touches.
const MAX_NAMED_THREADS: usize = 1_000;

/// How a channel's list shows these threads now, in its order; threads no longer in the channel
/// are left out. The list reads only the threads a change named once it holds many.
#[tauri::command]
pub async fn listed_threads(
    state: State<'_, AppState>,
    channel_id: String,
    thread_ids: Vec<String>,
) -> CommandResult<Vec<ThreadSummary>> {
    let channel_id = parse_id(&channel_id, "channel")?;
    if thread_ids.len() > MAX_NAMED_THREADS {
        return Err(CommandError::new(
            "invalid_input",
            format!("at most {MAX_NAMED_THREADS} threads are read by id at once"),
        ));
    }
    let thread_ids =
        thread_ids.iter().map(|id| parse_id(id, "thread")).collect::<CommandResult<Vec<ThreadId>>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let threads = session.store.threads_by_id(channel_id, &thread_ids).await?;
    summaries(session, &threads).await
}

/// What the author expects back from the person they mention first: a reply within some of that
/// person's working time, and a reminder at the end of their day if none came.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyExpectation {
    /// Working minutes of the addressee's; `None` sets no deadline (a nudge alone).
    pub within_minutes: Option<u32>,
    pub nudge: bool,
}

/// Writes the reply locally (visible at once, also offline) and asks sync to send it. Completed
/// @mentions and typed times ("3pm tomorrow", read in the author's zone) become tokens. An urgent
/// reply is notified at once, whatever the recipients' hours.
#[tauri::command]
pub async fn send_reply(
    state: State<'_, AppState>,
    thread_id: String,
    body: String,
    mentions: Option<Vec<MentionChoice>>,
    attachments: Option<Vec<super::files::AttachmentView>>,
    urgent: Option<bool>,
    expect: Option<ReplyExpectation>,
) -> CommandResult<MessageView> {
    let thread_id = parse_id(&thread_id, "thread")?;
    let attachments = attachments
        .unwrap_or_default()
        .into_iter()
        .map(super::files::AttachmentView::into_attachment)
        .collect::<CommandResult<Vec<_>>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let mentions = mentions.unwrap_or_default();
    let addressee = match &expect {
        Some(expect) => Some(super::replies::addressee(session, &mentions, expect).await?),
        None => None,
    };
    let mut body = compose(session, &body, mentions, now)?;
    if let (Some(expect), Some(addressee)) = (&expect, &addressee) {
        body.push_str(&super::replies::expectation_line(addressee, expect, now)?);
    }
    let options = ReplyOptions { attachments, urgent: urgent.unwrap_or(false) };
    let message = session.store.post_reply_with(session.me().id, thread_id, &body, options, now).await?;
    if let (Some(expect), Some(addressee)) = (&expect, &addressee)
        && expect.nudge
    {
        super::replies::keep_nudge(session, thread_id, message.id, addressee, now).await?;
    }
    session.sync_now();
    pending_view(session, message).await
}

/// A reply just written on this device, as the thread shows it until the server confirms it.
pub(crate) async fn pending_view(session: &Session, message: Message) -> CommandResult<MessageView> {
    let people = People::new(session.store.users().await?);
    let row = meridian_store::MessageRow {
        message,
        state: meridian_store::DeliveryState::Pending,
        error: None,
        edited: false,
    };
    Ok(MessageViews::new(&people, &session.me(), Vec::new()).view(&row))
}

/// Replaces the text of one of the signed-in person's messages.
#[tauri::command]
pub async fn edit_message(
    state: State<'_, AppState>,
    message_id: String,
    body: String,
    mentions: Option<Vec<MentionChoice>>,
) -> CommandResult<()> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let body = compose(session, &body, mentions.unwrap_or_default(), now)?;
    session.store.edit_message(session.me().id, message_id, &body, now).await?;
    session.sync_now();
    Ok(())
}

#[tauri::command]
pub async fn delete_message(state: State<'_, AppState>, message_id: String) -> CommandResult<()> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.delete_message(message_id, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Adds (`present`) or removes the signed-in person's `emoji` on a message.
#[tauri::command]
pub async fn set_reaction(
    state: State<'_, AppState>,
    message_id: String,
    emoji: String,
    present: bool,
) -> CommandResult<()> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session
        .store
        .set_reaction(session.me().id, message_id, &emoji, present, state.clock().now_millis())
        .await?;
    session.sync_now();
    Ok(())
}

/// Followed threads with news, across channels: the inbox.
#[tauri::command]
pub async fn inbox(state: State<'_, AppState>) -> CommandResult<Vec<ThreadSummary>> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let people = People::new(session.store.users().await?);
    let threads = session.store.inbox(state.clock().now_millis()).await?;
    Ok(threads.iter().map(|row| people.thread_summary(row, &session.me())).collect())
}

/// Puts a thread out of the inbox until a time in this person's day: `later` (three hours),
/// `morning` (the start of their next working time), `next_week` (their first working time
/// from next Monday) or `at` (the instant `at`, which they chose on their own clock). Returns the
/// instant.
#[tauri::command]
pub async fn snooze_thread(
    state: State<'_, AppState>,
    thread_id: String,
    until: String,
    at: Option<i64>,
) -> CommandResult<i64> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let at = snooze_end(&until, at, &Availability::of(&session.me()), now)?;
    session.store.snooze(thread_id, at).await?;
    Ok(at)
}

/// When a snooze asked for as `until` (and `at`, for a time the reader chose) ends, for a reader
/// available as `me`.
fn snooze_end(until: &str, at: Option<i64>, me: &Availability, now: i64) -> CommandResult<i64> {
    Ok(match until {
        "later" => now + 3 * 3_600_000,
        "morning" => meridian_domain::availability::their_next_morning(me, now),
        "next_week" => {
            let today = me.local_date(now);
            let monday = today
                + chrono::Days::new(u64::from(7 - chrono::Datelike::weekday(&today).num_days_from_monday()));
            let start = me.instant(monday, 0);
            me.working_spans(start).next().map_or(start, |span| span.from)
        }
        "at" => chosen_snooze_end(at, now)?,
        other => {
            return Err(CommandError::new(
                "invalid_input",
                format!("{other:?} is not later, morning, next_week or at"),
            ));
        }
    })
}

/// The furthest ahead a thread may be snoozed to a time of the reader's choosing.
const LONGEST_SNOOZE_MS: i64 = 366 * 24 * 3_600_000;

/// A snooze's end the reader chose: after now, and within a year.
fn chosen_snooze_end(at: Option<i64>, now: i64) -> CommandResult<i64> {
    match at {
        None => Err(CommandError::new("invalid_input", "a snooze until a chosen time needs that time")),
        Some(at) if at <= now => Err(CommandError::new("invalid_input", "Pick a time after now.")),
        Some(at) if at > now + LONGEST_SNOOZE_MS => {
            Err(CommandError::new("invalid_input", "Pick a time within a year."))
        }
        Some(at) => Ok(at),
    }
}

/// Marks a thread read through its newest message here, or through `seen_through` (the
/// `newest_seq` it was opened with) and no further when given; the mark syncs to this person's
/// devices.
#[tauri::command]
pub async fn mark_thread_read(
    state: State<'_, AppState>,
    thread_id: String,
    seen_through: Option<u64>,
) -> CommandResult<u64> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let seen_through = seen_through.unwrap_or(u64::MAX);
    let through =
        session.store.mark_thread_read_through(thread_id, seen_through, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(through)
}

/// Follows (`following`), mutes (`muted`) or returns a thread to the implicit rule (`none`).
#[tauri::command]
pub async fn set_thread_follow(
    state: State<'_, AppState>,
    thread_id: String,
    follow: String,
) -> CommandResult<()> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let follow = FollowState::parse(&follow)
        .ok_or_else(|| CommandError::new("invalid_input", "follow is `following`, `muted` or `none`."))?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.set_thread_follow(thread_id, follow, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Keeps what the person is writing in a thread, so it survives switching threads and restarts.
#[tauri::command]
pub async fn save_draft(state: State<'_, AppState>, thread_id: String, body: String) -> CommandResult<()> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.save_draft(thread_id, &body, state.clock().now_millis()).await?;
    Ok(())
}

/// For everyone a reply in `thread_id` would notify (the thread's participants and anyone
/// mentioned), when they would hear about it if sent now, or, with `their_morning`, if sent at
/// the first recipient's next working start, and when that is.
#[tauri::command]
pub async fn delivery_preview(
    state: State<'_, AppState>,
    thread_id: String,
    mentions: Option<Vec<String>>,
    urgent: Option<bool>,
    their_morning: Option<bool>,
) -> CommandResult<DeliveryPreview> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let recipients =
        super::people::reply_recipients(session, thread_id, &mentions.unwrap_or_default()).await?;
    let urgency = if urgent.unwrap_or(false) { Urgency::Urgent } else { Urgency::Normal };
    let now = state.clock().now_millis();
    if their_morning.unwrap_or(false) {
        let reader = Availability::of(&session.me()).zone;
        return Ok(super::scheduled::morning_preview(&recipients, reader, now, urgency));
    }
    Ok(sent_now(&recipients, now, urgency))
}

/// When each of `recipients` would hear of a message sent `now` with `urgency`.
pub(crate) fn sent_now(recipients: &[User], now: UnixMillis, urgency: Urgency) -> DeliveryPreview {
    let recipients = recipients
        .iter()
        .map(|user| {
            RecipientPreview::new(
                user,
                preview(&Availability::of(user), now, urgency, crate::hour_cycle::current()),
            )
        })
        .collect();
    DeliveryPreview { recipients, lands: None }
}

#[tauri::command]
pub async fn list_people(state: State<'_, AppState>) -> CommandResult<Vec<PersonView>> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    Ok(session.store.users().await?.iter().map(PersonView::from).collect())
}

/// The stored form of what the person typed: mentions they completed become `<@id>` tokens and
/// typed times become time tokens in their zone.
pub(crate) fn compose(
    session: &Session,
    typed: &str,
    mentions: Vec<MentionChoice>,
    now: i64,
) -> CommandResult<String> {
    let chosen = mentions
        .into_iter()
        .map(|choice| Ok((choice.name, parse_id::<UserId>(&choice.user_id, "user")?)))
        .collect::<CommandResult<Vec<_>>>()?;
    Ok(tokenize_typed_times(&encode_mentions(typed, &chosen), now, Availability::of(&session.me()).zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thursday 27 November 2025, 12:00 UTC: 17:30 in Kolkata.
    const NOW: i64 = 1_764_244_800_000;

    #[test]
    fn snoozes_end_later_today_at_the_next_working_morning_next_week_or_when_chosen() {
        let me = Availability::in_zone(chrono_tz::Asia::Kolkata);
        assert_eq!(snooze_end("later", None, &me, NOW).expect("later"), NOW + 3 * 3_600_000);
        // Default office hours (09:00–17:00, Monday to Friday): Friday 09:00 in Kolkata.
        let friday_morning = me.instant(chrono::NaiveDate::from_ymd_opt(2025, 11, 28).expect("date"), 9 * 60);
        assert_eq!(snooze_end("morning", None, &me, NOW).expect("morning"), friday_morning);
        let monday_morning = me.instant(chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"), 9 * 60);
        assert_eq!(snooze_end("next_week", None, &me, NOW).expect("next week"), monday_morning);
        assert_eq!(snooze_end("at", Some(NOW + 60_000), &me, NOW).expect("chosen"), NOW + 60_000);
        assert_eq!(snooze_end("soon", None, &me, NOW).expect_err("unknown").code, "invalid_input");
    }

    #[test]
    fn a_chosen_snooze_ends_after_now_and_within_a_year() {
        assert_eq!(chosen_snooze_end(Some(NOW + 60_000), NOW).expect("a minute on"), NOW + 60_000);
        assert_eq!(
            chosen_snooze_end(Some(NOW + LONGEST_SNOOZE_MS), NOW).expect("a year on"),
            NOW + LONGEST_SNOOZE_MS
        );
        for refused in [None, Some(NOW), Some(NOW - 1), Some(NOW + LONGEST_SNOOZE_MS + 1)] {
            let error = chosen_snooze_end(refused, NOW).expect_err("refused");
            assert_eq!(error.code, "invalid_input", "{refused:?}");
        }
    }
}
