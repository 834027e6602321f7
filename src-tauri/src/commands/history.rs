//! A message's edit history, which the team server keeps: every text it had, newest first.

use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use crate::views::{MessageViews, People};
use meridian_domain::{MessageId, UnixMillis};
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

/// Every text `message_id` has had, the current one first, as the team server keeps them.
#[tauri::command]
pub async fn message_history(
    state: State<'_, AppState>,
    message_id: String,
) -> CommandResult<Vec<VersionView>> {
    let message_id: MessageId = parse_id(&message_id, "message")?;
    // The session is not held while the request travels.
    let (api, store, me) = {
        let guard = state.session().await;
        let session = signed_in(&guard)?;
        (session.api.clone(), session.store.clone(), session.me())
    };
    let history = api
        .message_revisions(message_id)
        .await
        .map_err(|error| CommandError::from_server(error, "The edit history could not be read"))?;
    let people = People::new(store.users().await?);
    let views = MessageViews::new(&people, &me, Vec::new());
    let current = VersionView { body_html: views.body_html(&history.body), replaced_at: None };
    let earlier = history.revisions.iter().rev().map(|revision| VersionView {
        body_html: views.body_html(&revision.body),
        replaced_at: Some(revision.replaced_at),
    });
    Ok(std::iter::once(current).chain(earlier).collect())
}
