//! `channels`, `threads` and `show`: reads of the local copy only, so they work offline and
//! show what the last sync brought.

use crate::failure::Failure;
use crate::profile::Session;
use crate::time::local_time;
use meridian_domain::{Channel, ThreadId, User, UserId};
use meridian_store::{DeliveryState, LocalStore, MessageRow};
use std::collections::HashMap;

pub async fn channels(session: &Session) -> anyhow::Result<()> {
    let channels = session.store.channels().await?;
    if channels.is_empty() {
        println!("No channels here yet; run `meridian sync`.");
    }
    for (channel, threads) in channels {
        let lock = if channel.private { " (private)" } else { "" };
        let archived = if channel.archived { " (archived)" } else { "" };
        println!("#{}{lock}{archived}  {threads} threads  {}", channel.name, channel.topic);
    }
    Ok(())
}

pub async fn threads(session: &Session, channel: &str) -> anyhow::Result<()> {
    let channel = find_channel(&session.store, channel).await?;
    let zone = Zone::of(session).await?;
    let threads = session.store.threads(channel.id).await?;
    if threads.is_empty() {
        println!("No threads in #{} yet.", channel.name);
    }
    for row in threads {
        println!(
            "{}  {}  ({} replies, last {})",
            row.thread.id,
            row.thread.title,
            row.reply_count,
            local_time(row.last_activity_at, &zone.0)
        );
    }
    Ok(())
}

pub async fn show(session: &Session, thread: &str) -> anyhow::Result<()> {
    let thread_id = parse_thread(thread)?;
    let thread = session
        .store
        .thread(thread_id)
        .await?
        .ok_or_else(|| Failure::new("unknown_thread", format!("no thread {thread_id} on this device")))?;
    let zone = Zone::of(session).await?;
    let names = names(&session.store).await?;
    println!("{}", thread.title);
    for row in session.store.thread_messages(thread_id).await? {
        println!("{}", message_line(&row, &names, &zone.0));
    }
    Ok(())
}

/// `[2026-03-01 09:30 CET] Ana: body`, with the delivery state of writes not yet confirmed.
pub fn message_line(row: &MessageRow, names: &HashMap<UserId, String>, zone: &str) -> String {
    let author = names.get(&row.message.author_id).map_or("someone", String::as_str);
    let state = match row.state {
        DeliveryState::Sent => String::new(),
        DeliveryState::Pending => " (queued)".to_owned(),
        DeliveryState::Rejected => {
            format!(" (rejected: {})", row.error.as_deref().unwrap_or("no reason given"))
        }
    };
    format!("[{}] {author}: {}{state}", local_time(row.message.created_at, zone), row.message.body)
}

/// Display names by id.
pub async fn names(store: &LocalStore) -> anyhow::Result<HashMap<UserId, String>> {
    Ok(store.users().await?.into_iter().map(|user: User| (user.id, user.display_name)).collect())
}

/// The channel called `name` (a leading `#` is allowed).
pub async fn find_channel(store: &LocalStore, name: &str) -> anyhow::Result<Channel> {
    let wanted = name.trim().trim_start_matches('#');
    store
        .channels()
        .await?
        .into_iter()
        .map(|(channel, _)| channel)
        .find(|channel| channel.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            Failure::new(
                "unknown_channel",
                format!("no channel #{wanted} on this device; try `meridian sync`"),
            )
            .into()
        })
}

pub fn parse_thread(text: &str) -> anyhow::Result<ThreadId> {
    text.trim()
        .parse()
        .map_err(|_| Failure::new("bad_thread_id", format!("{text:?} is not a thread id")).into())
}

/// The reader's time zone, UTC until the first sync has brought their profile.
pub struct Zone(pub String);

impl Zone {
    pub async fn of(session: &Session) -> anyhow::Result<Self> {
        Ok(Self(session.me().await?.map_or_else(|| "UTC".to_owned(), |me| me.time_zone)))
    }
}
