//! A message's edit history, which the team server keeps: every text it had, newest first. What
//! this device saw stands in while the server cannot be reached.

use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use crate::views::{MessageViews, People};
use meridian_domain::{MessageId, UnixMillis};
use meridian_store::KnownHistory;
use serde::Serialize;
use tauri::State;

/// One text a message had, rendered for the reader.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    /// The text rendered and sanitized in Rust; safe to insert as HTML.
    pub body_html: String,
    /// When an edit replaced it (Unix milliseconds); absent for the text it has now.
    pub replaced_at: Option<UnixMillis>,
}

const WHAT: &str = "The edit history could not be read";

/// A message's texts for the reader, and whether they are the whole history.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    /// The current text first, then the earlier ones, newest first.
    pub versions: Vec<VersionView>,
    /// False when the team server could not be reached and only what this device saw replaced
    /// is shown.
    pub complete: bool,
}

/// Every text `message_id` has had, the current one first, as the team server keeps them; while
/// the server cannot be reached, the texts this device knows.
#[tauri::command]
pub async fn message_history(state: State<'_, AppState>, message_id: String) -> CommandResult<HistoryView> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    // The session is not held while the request travels.
    let (api, store, me) = {
        let guard = state.session().await;
        let session = signed_in(&guard)?;
        (session.api.clone(), session.store.clone(), session.me())
    };
    let people = People::new(store.users().await?);
    let views = MessageViews::new(&people, &me, Vec::new());
    let (known, complete) = match api.message_revisions(message_id).await {
        Ok(history) => {
            let replaced: Vec<(String, UnixMillis)> =
                history.revisions.into_iter().map(|revision| (revision.body, revision.replaced_at)).collect();
            store.learn_history(message_id, &replaced).await?;
            (KnownHistory { body: history.body, replaced }, true)
        }
        Err(error) if !error.is_transient() => return Err(CommandError::from_server(error, WHAT)),
        Err(unavailable) => match store.known_history(message_id).await? {
            Some(known) => (known, false),
            None => return Err(CommandError::from_server(unavailable, WHAT)),
        },
    };
    let current = VersionView { body_html: views.body_html(&known.body), replaced_at: None };
    let earlier = known.replaced.iter().rev().map(|(body, replaced_at)| VersionView {
        body_html: views.body_html(body),
        replaced_at: Some(*replaced_at),
    });
    Ok(HistoryView { versions: std::iter::once(current).chain(earlier).collect(), complete })
}
