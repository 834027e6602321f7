//! `tail`: runs the sync engine as the desktop app does (WebSocket pokes, safety poll, backoff)
//! and prints every message that reaches this device after the command started, until Ctrl-C.

use crate::profile::Session;
use crate::read::{Zone, find_channel, message_line, names};
use meridian_domain::{ChannelId, MessageId, ThreadId};
use meridian_store::DeliveryState;
use meridian_sync::SyncEvent;
use std::collections::HashSet;

pub async fn tail(session: Session, channel: Option<&str>) -> anyhow::Result<()> {
    let only: Option<ChannelId> = match channel {
        Some(name) => Some(find_channel(&session.store, name).await?.id),
        None => None,
    };
    // What is already here is history; everything else that shows up is news.
    let mut seen: HashSet<MessageId> =
        session.store.snapshot().await?.messages.into_iter().map(|row| row.message.id).collect();
    let (engine, mut events) = session.engine().await?;
    let handle = engine.spawn();
    eprintln!("Waiting for new messages; Ctrl-C stops.");
    let mut online = None;
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(SyncEvent::Changed { threads, .. }) => {
                    print_new(&session, only, &threads, &mut seen).await?;
                }
                Some(SyncEvent::Status { online: now, error, .. }) => {
                    if online != Some(now) {
                        match (now, error) {
                            (true, _) => eprintln!("Connected."),
                            (false, error) => eprintln!("Offline: {}", error.unwrap_or_default()),
                        }
                        online = Some(now);
                    }
                }
                Some(SyncEvent::Notice(_) | SyncEvent::HistoryLoaded { .. }) => {}
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    handle.stop().await;
    Ok(())
}

/// Prints the confirmed messages of `threads` not printed (or present) before, in thread order.
async fn print_new(
    session: &Session,
    only: Option<ChannelId>,
    threads: &std::collections::BTreeSet<ThreadId>,
    seen: &mut HashSet<MessageId>,
) -> anyhow::Result<()> {
    let zone = Zone::of(session).await?;
    let names = names(&session.store).await?;
    for &thread_id in threads {
        let Some(thread) = session.store.thread(thread_id).await? else { continue };
        if only.is_some_and(|channel| channel != thread.channel_id) {
            continue;
        }
        for row in session.store.thread_messages(thread_id).await? {
            if row.state == DeliveryState::Sent && seen.insert(row.message.id) {
                println!("{} › {}", thread.title, message_line(&row, &names, &zone.0));
            }
        }
    }
    Ok(())
}
