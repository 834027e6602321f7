//! `export`: everything on this device as one JSON document, plus the writes still queued, for
//! backups and for scripts. The session token is left out: an export is safe to share.

use crate::profile::Session;
use meridian_domain::{Channel, Message, Team, Thread, User};
use meridian_protocol::Mutation;
use meridian_store::StoreSnapshot;
use serde::Serialize;
use std::path::Path;

/// The document's format version; bump it when a field changes meaning.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize)]
struct Export<'a> {
    format: u32,
    server_url: &'a str,
    user_id: String,
    team: Option<Team>,
    people: Vec<User>,
    channels: Vec<Channel>,
    threads: Vec<Thread>,
    messages: Vec<ExportedMessage>,
    outbox: Vec<QueuedWrite>,
}

#[derive(Debug, Serialize)]
struct ExportedMessage {
    #[serde(flatten)]
    message: Message,
    /// `sent`, `pending` or `rejected`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct QueuedWrite {
    /// On the wire as the server would receive it: seq, id, name, args, client_ts.
    #[serde(flatten)]
    mutation: Mutation,
    attempts: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

pub async fn export(session: &Session, output: Option<&Path>) -> anyhow::Result<()> {
    let snapshot = session.store.snapshot().await?;
    let (messages, queued) = (snapshot.messages.len(), snapshot.queued.len());
    let text = serde_json::to_string_pretty(&document(session, snapshot))?;
    write(output, text, &format!("{messages} messages and {queued} queued writes"))
}

/// `export --team`: the server's export of the whole team, as it answers it.
pub async fn team_export(session: &Session, output: Option<&Path>) -> anyhow::Result<()> {
    let export = session.api.team_export().await?;
    let summary =
        format!("{} people and {} messages of the team", export.people.len(), export.messages.len());
    write(output, serde_json::to_string_pretty(&export)?, &summary)
}

fn write(output: Option<&Path>, text: String, summary: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text + "\n")
                .map_err(|error| anyhow::anyhow!("writing {}: {error}", path.display()))?;
            eprintln!("Exported {summary} to {}.", path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}

fn document(session: &Session, snapshot: StoreSnapshot) -> Export<'_> {
    Export {
        format: FORMAT,
        server_url: &session.account.server_url,
        user_id: session.account.user_id.to_string(),
        team: snapshot.team,
        people: snapshot.users,
        channels: snapshot.channels,
        threads: snapshot.threads,
        messages: snapshot
            .messages
            .into_iter()
            .map(|row| ExportedMessage { message: row.message, state: row.state.as_str(), error: row.error })
            .collect(),
        outbox: snapshot
            .queued
            .into_iter()
            .map(|entry| QueuedWrite {
                mutation: entry.mutation,
                attempts: entry.attempts,
                last_error: entry.last_error,
            })
            .collect(),
    }
}
