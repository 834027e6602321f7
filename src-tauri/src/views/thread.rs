//! An open thread as the webview receives it: its header and one window of its messages, each
//! with the cursor the next window is asked from.

use super::{MessageView, MessageViews};
use meridian_store::MessageWindow;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadDetail {
    pub id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub title: String,
    /// Everyone who wrote in the thread, first writer first.
    pub people: Vec<ParticipantView>,
    /// The messages around where the thread opened.
    pub window: MessageWindowView,
    /// The message the window was opened around (the one asked for, else the first unread);
    /// `None` when it holds the newest messages.
    pub anchor_id: Option<String>,
    /// What the person was writing here when they left, if anything.
    pub draft: Option<String>,
    /// `following`, `muted` or `none` (the implicit rule: started or replied).
    pub follow: &'static str,
    /// Where reading resumes: the first message by someone else after the read cursor.
    pub first_unread_id: Option<String>,
    /// The newest message of the thread when it was opened, by its sequence from the server:
    /// opening it reads it through there, and a reply that comes in later stays unread.
    pub newest_seq: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    pub id: String,
    pub name: String,
}

/// Consecutive messages of a thread, in thread order.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageWindowView {
    pub messages: Vec<PlacedMessageView>,
    pub more_before: bool,
    pub more_after: bool,
    /// Messages in the whole thread, as held here.
    pub total: u64,
    /// Whether the thread's start is still on the team server: asked only when the window
    /// reaches the first message held (`more_before` false), and loaded with `load_thread_start`.
    pub start_on_server: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacedMessageView {
    #[serde(flatten)]
    pub message: MessageView,
    /// Where the message sits in its thread, to ask for the messages before or after it.
    pub cursor: String,
}

impl MessageWindowView {
    /// Renders every message of the window, and only those.
    pub fn new(window: &MessageWindow, views: &MessageViews<'_>, start_on_server: bool) -> Self {
        Self {
            messages: window
                .messages
                .iter()
                .map(|placed| PlacedMessageView {
                    message: views.view(&placed.row),
                    cursor: placed.key.to_string(),
                })
                .collect(),
            more_before: window.more_before,
            more_after: window.more_after,
            total: window.total,
            start_on_server,
        }
    }
}
