//! `post` and `reply`: written to the local store and its outbox in one transaction first, as the
//! desktop app does, then sent by one sync round. If the server is away the write waits in the
//! outbox for the next `meridian sync`; the command still succeeds, because nothing was lost.

use crate::failure::Failure;
use crate::files::upload_all;
use crate::profile::Session;
use crate::read::{Zone, find_channel, parse_thread};
use crate::sync::{Round, round};
use meridian_domain::availability::Availability;
use meridian_domain::mentions::mentioned_users;
use meridian_domain::schedule::{Morning, earliest_next_morning};
use meridian_domain::{Clock, MessageId, SystemClock, ThreadId, UnixMillis};
use meridian_store::{DeliveryState, ReplyOptions, ScheduledStatus};
use std::path::PathBuf;

pub async fn post(session: &Session, channel: &str, title: &str, body: &str) -> anyhow::Result<()> {
    let channel = find_channel(&session.store, channel).await?;
    let (thread, message) = session
        .store
        .start_thread(session.account.user_id, channel.id, title, body, SystemClock.now_millis())
        .await?;
    println!("Thread {} started in #{}.", thread.id, channel.name);
    deliver(session, thread.id, message.id).await
}

pub async fn reply(
    session: &Session,
    thread: &str,
    body: &str,
    files: &[PathBuf],
    urgent: bool,
) -> anyhow::Result<()> {
    let thread_id = parse_thread(thread)?;
    let options = ReplyOptions { attachments: upload_all(session, files).await?, urgent };
    let message = session
        .store
        .post_reply_with(session.account.user_id, thread_id, body, options, SystemClock.now_millis())
        .await
        .map_err(|error| not_on_this_device(error, thread_id))?;
    println!("Reply {} written in thread {thread_id}.", message.id);
    deliver(session, thread_id, message.id).await
}

/// When a scheduled reply is to land.
#[derive(Debug)]
pub enum When {
    /// At this instant, RFC 3339.
    At(String),
    /// At the start of the first recipient's next working day.
    TheirMorning,
}

/// Queues a reply for the team server to post `when` says, then runs a sync round and says
/// whether the server took it.
pub async fn schedule(
    session: &Session,
    thread: &str,
    body: &str,
    files: &[PathBuf],
    urgent: bool,
    when: When,
) -> anyhow::Result<()> {
    let thread_id = parse_thread(thread)?;
    let now = SystemClock.now_millis();
    let zone = Zone::of(session).await?.0;
    let (deliver_at, said, lands) = match when {
        When::At(at) => {
            let deliver_at = chrono::DateTime::parse_from_rfc3339(at.trim())
                .map_err(|_| {
                    Failure::new(
                        "invalid_input",
                        format!("{at:?} is not an instant like 2026-12-02T09:00:00+09:00"),
                    )
                })?
                .timestamp_millis();
            (deliver_at, format!("for {}", crate::time::local_time(deliver_at, &zone)), Vec::new())
        }
        When::TheirMorning => their_morning(session, thread_id, body, now, &zone).await?,
    };
    let options = ReplyOptions { attachments: upload_all(session, files).await?, urgent };
    let id = session
        .store
        .schedule_reply(thread_id, body, options, deliver_at, now)
        .await
        .map_err(|error| not_on_this_device(error, thread_id))?;
    println!("Reply {id} scheduled {said} in thread {thread_id}.");
    for line in lands {
        println!("{line}");
    }
    let outcome = round(session).await?;
    let row = session.store.scheduled_replies().await?.into_iter().find(|row| row.message_id == id);
    match (outcome, row.map(|row| row.status)) {
        (_, Some(ScheduledStatus::Failed { reason })) => {
            Err(Failure::new("rejected", format!("the server refused it: {reason}")).into())
        }
        (Round::Offline(error), _) => {
            println!("Queued: {error}. It reaches the server at the next `meridian sync`.");
            Ok(())
        }
        (Round::Synced(_), _) => {
            println!("The team server holds it.");
            Ok(())
        }
    }
}

/// When a reply in `thread_id` sent at "their morning" lands, as the desktop's composer reckons
/// it, and how to say so: whose morning it is, then when that is for them and for the sender (in
/// `mine`), and that anyone else is told at the start of their own day.
async fn their_morning(
    session: &Session,
    thread_id: ThreadId,
    body: &str,
    now: UnixMillis,
    mine: &str,
) -> anyhow::Result<(UnixMillis, String, Vec<String>)> {
    let recipients = session
        .store
        .reply_recipients(session.account.user_id, thread_id, &mentioned_users(body))
        .await
        .map_err(|error| not_on_this_device(error, thread_id))?;
    let availabilities: Vec<Availability> = recipients.iter().map(Availability::of).collect();
    let Some(Morning { at, first }) = earliest_next_morning(&availabilities, now) else {
        return Err(Failure::new(
            "no_recipients",
            "nobody else is in this thread yet, so there is no morning to aim for; give a time with --at",
        )
        .into());
    };
    let them = &recipients[first];
    let mut lands = vec![format!(
        "It lands {there} for {name}, {here} for you.",
        there = crate::time::local_time(at, &them.time_zone),
        name = them.display_name,
        here = crate::time::local_time(at, mine),
    )];
    if recipients.len() > 1 {
        lands.push("The others in the thread are told when their own working day starts.".to_owned());
    }
    Ok((at, format!("for {}'s morning", them.display_name), lands))
}

/// A thread this device does not hold is the caller's mistake, with its own code.
fn not_on_this_device(error: meridian_store::StoreError, thread_id: ThreadId) -> anyhow::Error {
    match error {
        meridian_store::StoreError::NotFound(_) => {
            Failure::new("unknown_thread", format!("no thread {thread_id} on this device")).into()
        }
        other => anyhow::Error::from(other),
    }
}

/// Runs a sync round and says where the write `message` stands afterwards.
async fn deliver(session: &Session, thread: ThreadId, message: MessageId) -> anyhow::Result<()> {
    let outcome = round(session).await?;
    let rows = session.store.thread_messages(thread).await?;
    let state = rows.iter().find(|row| row.message.id == message).map(|row| (row.state, row.error.clone()));
    match (outcome, state) {
        (_, Some((DeliveryState::Rejected, reason))) => {
            Err(Failure::new("rejected", format!("the server refused it: {}", reason.unwrap_or_default()))
                .into())
        }
        (Round::Offline(error), _) => {
            let queued = session.store.queued_count().await?;
            println!("Queued: {error}. {queued} writes wait for the next `meridian sync`.");
            Ok(())
        }
        (Round::Synced(_), _) => {
            println!("Sent.");
            Ok(())
        }
    }
}
