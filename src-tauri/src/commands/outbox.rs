//! The outbox as the person sees it: what is waiting (which they can have tried again at once,
//! and a reply or new thread among it taken back), what was refused, and their choice about each
//! refused write (send again, or discard).

use super::{parse_id, signed_in};
use crate::error::CommandResult;
use crate::session::AppState;
use meridian_protocol::MutationOp;
use meridian_store::OutboxState;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

/// One write in the outbox.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub seq: u64,
    /// "Reply", "New thread", "Edit", …
    pub kind: &'static str,
    /// The text it carries, shortened, or what it is about.
    pub summary: String,
    /// `queued` or `rejected`.
    pub state: &'static str,
    /// Failed attempts to send it so far.
    pub attempts: u64,
    /// A reply or a new thread still waiting, which the person may take back.
    pub withdrawable: bool,
    pub error: Option<String>,
    pub written_at: i64,
}

#[tauri::command]
pub async fn outbox(state: State<'_, AppState>) -> CommandResult<Vec<OutboxItem>> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let entries = session.store.outbox_to_review().await?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let (kind, summary) = describe(&entry.mutation.op);
            OutboxItem {
                seq: entry.mutation.seq,
                kind,
                summary,
                state: match entry.state {
                    OutboxState::Rejected => "rejected",
                    _ => "queued",
                },
                attempts: entry.attempts,
                withdrawable: matches!(entry.state, OutboxState::Queued)
                    && meridian_store::may_be_withdrawn(&entry.mutation.op),
                error: entry.last_error,
                written_at: entry.mutation.client_ts,
            }
        })
        .collect())
}

/// Sends a refused write again.
#[tauri::command]
pub async fn retry_write(state: State<'_, AppState>, seq: String) -> CommandResult<()> {
    let seq: u64 = parse_id(&seq, "outbox entry")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.retry_refused(seq, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Tries the server again at once for the writes waiting to be sent: after a failure the engine
/// waits up to half a minute before its next try, which is long for someone watching.
#[tauri::command]
pub async fn send_queued_now(state: State<'_, AppState>) -> CommandResult<()> {
    let guard = state.session().await;
    signed_in(&guard)?.sync_now();
    Ok(())
}

/// Takes back a reply or a new thread still waiting to be sent. What it leaves is told to the page
/// as a change to read whole, as for a refused write given up.
#[tauri::command]
pub async fn withdraw_write(app: AppHandle, state: State<'_, AppState>, seq: String) -> CommandResult<()> {
    let seq: u64 = parse_id(&seq, "outbox entry")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.withdraw_waiting(seq).await?;
    session.sync_now();
    read_whole_again(&app);
    Ok(())
}

/// Gives up a refused write. What it leaves (a thread gone, a reply gone) is told to the page as
/// a change to read whole.
#[tauri::command]
pub async fn discard_write(app: AppHandle, state: State<'_, AppState>, seq: String) -> CommandResult<()> {
    let seq: u64 = parse_id(&seq, "outbox entry")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    session.store.discard_refused(seq).await?;
    read_whole_again(&app);
    Ok(())
}

/// Tells the page that what a write left behind is gone, in ways it cannot narrow down (a thread,
/// a reply): it reads its lists whole.
fn read_whole_again(app: &AppHandle) {
    if let Err(error) = app.emit("meridian://changed", crate::views::ChangedEvent::everything()) {
        tracing::warn!(%error, "could not tell the page a write was given up or taken back");
    }
}

fn describe(op: &MutationOp) -> (&'static str, String) {
    let short = |text: &str| meridian_domain::shortened(text, 120);
    match op {
        MutationOp::CreateThread { title, body, .. } => ("New thread", format!("{title}: {}", short(body))),
        MutationOp::CreateMessage { body, .. } => ("Reply", short(body)),
        MutationOp::EditMessage { body, .. } => ("Edit", short(body)),
        MutationOp::DeleteMessage { .. } => ("Delete", "a message".to_owned()),
        MutationOp::SetReaction { emoji, present, .. } => {
            ("Reaction", format!("{} {emoji}", if *present { "add" } else { "remove" }))
        }
        MutationOp::CreateChannel { name, private, .. } => {
            ("New channel", format!("{}#{name}", if *private { "private " } else { "" }))
        }
        MutationOp::UpdateChannel { name, topic, .. } => (
            "Channel details",
            [name.as_ref().map(|name| format!("#{name}")), topic.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
        ),
        MutationOp::ArchiveChannel { archived, .. } => {
            (if *archived { "Archive" } else { "Unarchive" }, "a channel".to_owned())
        }
        MutationOp::JoinChannel { .. } => ("Join", "a channel".to_owned()),
        MutationOp::LeaveChannel { .. } => ("Leave", "a channel".to_owned()),
        MutationOp::AddMember { .. } => ("Add member", "to a channel".to_owned()),
        MutationOp::RemoveMember { .. } => ("Remove member", "from a channel".to_owned()),
        MutationOp::OpenDirect { .. } => ("Direct conversation", "open".to_owned()),
        MutationOp::ReadThread { .. } => ("Read mark", "a thread".to_owned()),
        MutationOp::FollowThread { state, .. } => ("Follow", state.as_str().to_owned()),
        MutationOp::ScheduleMessage { body, .. } => ("Scheduled reply", short(body)),
        MutationOp::CancelScheduled { .. } => ("Cancel", "a scheduled reply".to_owned()),
        MutationOp::SetNudge { .. } => ("Nudge", "a reminder at the end of their day".to_owned()),
        MutationOp::Withdrawn {} => ("Taken back", "a write taken back before it was sent".to_owned()),
    }
}
