//! `post` and `reply`: written to the local store and its outbox in one transaction first, as the
//! desktop app does, then sent by one sync round. If the server is away the write waits in the
//! outbox for the next `meridian sync`; the command still succeeds, because nothing was lost.

use crate::failure::Failure;
use crate::files::upload_all;
use crate::profile::Session;
use crate::read::{Zone, find_channel, parse_thread};
use crate::sync::{Round, round};
use meridian_domain::{Clock, MessageId, SystemClock, ThreadId};
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

/// Queues a reply for the team server to post at `at` (RFC 3339), then runs a sync round and says
/// whether the server took it.
pub async fn schedule(
    session: &Session,
    thread: &str,
    body: &str,
    files: &[PathBuf],
    urgent: bool,
    at: &str,
) -> anyhow::Result<()> {
    let thread_id = parse_thread(thread)?;
    let deliver_at = chrono::DateTime::parse_from_rfc3339(at.trim())
        .map_err(|_| {
            Failure::new("invalid_input", format!("{at:?} is not an instant like 2026-12-02T09:00:00+09:00"))
        })?
        .timestamp_millis();
    let options = ReplyOptions { attachments: upload_all(session, files).await?, urgent };
    let id = session
        .store
        .schedule_reply(thread_id, body, options, deliver_at, SystemClock.now_millis())
        .await
        .map_err(|error| not_on_this_device(error, thread_id))?;
    let when = crate::time::local_time(deliver_at, &Zone::of(session).await?.0);
    println!("Reply {id} scheduled for {when} in thread {thread_id}.");
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
