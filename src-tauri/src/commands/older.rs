//! Reaching past what this device holds. A channel is first synced from its latest messages; its
//! older ones stay on the team server until the reader scrolls to them: to the start of a thread,
//! or to the end of a channel's thread list.

use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::ChangedEvent;
use meridian_domain::{ChannelId, ThreadId};
use meridian_sync::{SyncEngine, SyncOptions};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

/// Threads a reach for older ones asks for at least: more than a screen of the thread list.
const OLDER_THREADS_WANTED: u64 = 25;

/// What reaching for a channel's older threads brought.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OlderThreadsView {
    /// Threads listed now that were not before.
    pub added: u64,
    /// Whether older messages are still on the server.
    pub older_on_server: bool,
}

/// Loads a channel's older messages until at least a screenful more of its threads is held, none
/// are left on the server, or 20 pages were read (a channel of a few long threads). The page that
/// asks reads the channel list and the thread list again itself, before it decides whether to ask
/// for more, so no `meridian://changed` is sent to make it read them a second time.
#[tauri::command]
pub async fn load_older_threads(
    state: State<'_, AppState>,
    channel_id: String,
) -> CommandResult<OlderThreadsView> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let loaded = history_reader(session)
        .await?
        .load_older_threads(channel_id, OLDER_THREADS_WANTED)
        .await
        .map_err(|error| CommandError::from_server(error, "Older threads could not be loaded"))?;
    Ok(OlderThreadsView { added: loaded.added, older_on_server: loaded.more_on_server })
}

/// Loads the older messages of a thread's channel until the thread's start is held. Answers
/// whether the start is still on the server (a thread begun very long ago takes more than one).
#[tauri::command]
pub async fn load_thread_start(
    app: AppHandle,
    state: State<'_, AppState>,
    thread_id: String,
) -> CommandResult<bool> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let thread = super::known_thread(session, thread_id).await?;
    let still_on_server = history_reader(session)
        .await?
        .load_thread_start(thread_id)
        .await
        .map_err(|error| CommandError::from_server(error, "Earlier messages could not be loaded"))?;
    changed(&app, thread.channel_id);
    Ok(still_on_server)
}

/// An engine of the session's store and server that only reads older history. What it loads is
/// history, so it raises no notification, and its change events go nowhere.
async fn history_reader(session: &Session) -> CommandResult<SyncEngine> {
    let (engine, _events) =
        SyncEngine::new(session.store.clone(), session.api.clone(), session.me().id, SyncOptions::default())
            .await?;
    Ok(engine)
}

/// Tells the page its channel's counts and thread list grew, after a thread's start arrived. The
/// open thread is not named: the page that asked reads the messages it lacks itself, where the
/// reader is.
fn changed(app: &AppHandle, channel: ChannelId) {
    let event = ChangedEvent::new([&channel], [], false);
    if let Err(error) = app.emit("meridian://changed", event) {
        tracing::warn!(%error, "could not tell the page older history arrived");
    }
}
