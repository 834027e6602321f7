//! `create-channel`, `join`, `leave`, `archive` and `dm`: channels and membership changes are queued in the outbox like every other write,
//! then sent by one sync round; offline they wait for the next `meridian sync`.

use crate::failure::Failure;
use crate::profile::Session;
use crate::read::find_channel;
use crate::sync::{Round, round};
use meridian_domain::{Clock, SystemClock};
use meridian_store::{NewChannel, OutboxState};

pub async fn create_channel(session: &Session, name: &str, topic: &str, private: bool) -> anyhow::Result<()> {
    let asked = NewChannel { name: name.into(), topic: topic.into(), private, members: Vec::new() };
    let account = &session.account;
    let channel = session
        .store
        .create_channel(account.user_id, account.team_id, &asked, SystemClock.now_millis())
        .await?;
    println!("Creating {}#{}.", if private { "private " } else { "" }, channel.name);
    deliver(session).await
}

pub async fn join(session: &Session, channel: &str) -> anyhow::Result<()> {
    let channel = find_channel(&session.store, channel).await?;
    session.store.join_channel(session.account.user_id, channel.id, SystemClock.now_millis()).await?;
    println!("Joining #{}.", channel.name);
    deliver(session).await
}

pub async fn leave(session: &Session, channel: &str) -> anyhow::Result<()> {
    let channel = find_channel(&session.store, channel).await?;
    session.store.leave_channel(session.account.user_id, channel.id, SystemClock.now_millis()).await?;
    println!("Leaving #{}.", channel.name);
    deliver(session).await
}

/// Archives a channel (`archived`) or brings it back; the server allows admins and owners.
pub async fn archive(session: &Session, channel: &str, archived: bool) -> anyhow::Result<()> {
    let channel = find_channel(&session.store, channel).await?;
    session.store.archive_channel(channel.id, archived, SystemClock.now_millis()).await?;
    println!("{} #{}.", if archived { "Archiving" } else { "Bringing back" }, channel.name);
    deliver(session).await
}

/// Opens the direct conversation with the people named (by display name, as this device knows
/// them); the same people always get the same conversation.
pub async fn dm(session: &Session, names: &[String]) -> anyhow::Result<()> {
    let users = session.store.users().await?;
    let mut others = Vec::new();
    for name in names {
        let wanted = name.trim();
        let user =
            users.iter().find(|user| user.display_name.eq_ignore_ascii_case(wanted)).ok_or_else(|| {
                Failure::new("unknown_person", format!("nobody called {wanted} on this device"))
            })?;
        others.push(user.id);
    }
    let channel = session
        .store
        .open_direct(session.account.user_id, session.account.team_id, &others, SystemClock.now_millis())
        .await?;
    println!("Conversation {} with {}.", channel.id, channel.name);
    deliver(session).await
}

/// Runs a sync round and says whether the newest write went through.
async fn deliver(session: &Session) -> anyhow::Result<()> {
    match round(session).await? {
        Round::Offline(error) => {
            println!("Queued: {error}. It waits for the next `meridian sync`.");
            return Ok(());
        }
        Round::Synced(_) => {}
    }
    let newest = session.store.outbox(None).await?.into_iter().last();
    match newest {
        Some(entry) if entry.state == OutboxState::Rejected => Err(Failure::new(
            "rejected",
            format!("the server refused it: {}", entry.last_error.unwrap_or_default()),
        )
        .into()),
        _ => {
            println!("Done.");
            Ok(())
        }
    }
}
