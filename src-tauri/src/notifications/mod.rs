//! Native desktop notifications through the OS notification service (D-Bus on Linux).
//! Clicking one brings the window forward and opens the thread: at the message that raised it,
//! or, for a catch-up summary, where its reader left off. [`Notifier`] decides when.

pub mod nudges;
mod schedule;

pub use schedule::Notifier;

use crate::views::OpenThreadEvent;
use meridian_domain::{ChannelId, ReplyNotice};
use meridian_store::LocalStore;
use tauri::{AppHandle, Emitter, Manager};

/// The action id desktops send when the notification itself is clicked.
const DEFAULT_ACTION: &str = "default";

/// Raises `notice`; returns at once. The notification service is called off the UI thread.
pub fn show(app: AppHandle, store: LocalStore, notice: ReplyNotice) {
    tauri::async_runtime::spawn(async move {
        let channel_id = match store.thread(notice.thread_id).await {
            Ok(Some(thread)) => Some(thread.channel_id),
            _ => None,
        };
        let open = opens_at(&notice, channel_id);
        let shown = tauri::async_runtime::spawn_blocking(move || raise(&app, &notice, open)).await;
        if let Ok(Err(error)) = shown {
            tracing::warn!(%error, "could not show a desktop notification");
        }
    });
}

#[cfg(all(unix, not(target_os = "macos")))]
fn raise(
    app: &AppHandle,
    notice: &ReplyNotice,
    open: OpenThreadEvent,
) -> Result<(), notify_rust::error::Error> {
    let handle = notify_rust::Notification::new()
        .appname("Meridian")
        .summary(&notice.summary)
        .body(&notice.body)
        .action(DEFAULT_ACTION, "Open thread")
        .show()?;
    // Waits (on this blocking thread) until the notification is clicked or closed.
    handle.wait_for_action(|action| {
        if action == DEFAULT_ACTION {
            open_thread(app, open);
        }
    });
    Ok(())
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn raise(
    app: &AppHandle,
    notice: &ReplyNotice,
    open: OpenThreadEvent,
) -> Result<(), notify_rust::error::Error> {
    // Clicks are not reported back on these platforms; the notification still shows.
    let _ = (app, open);
    notify_rust::Notification::new()
        .appname("Meridian")
        .summary(&notice.summary)
        .body(&notice.body)
        .show()?;
    Ok(())
}

/// Where clicking `notice` takes the reader: its thread, at the message that raised it. A notice
/// standing for several messages names none, so the thread opens at its first unread.
fn opens_at(notice: &ReplyNotice, channel_id: Option<ChannelId>) -> OpenThreadEvent {
    OpenThreadEvent {
        thread_id: notice.thread_id.to_string(),
        channel_id: channel_id.map(|channel| channel.to_string()).unwrap_or_default(),
        message_id: notice.message_id.map(|message| message.to_string()),
    }
}

/// Brings the window forward and asks it to open a thread.
pub fn open_thread(app: &AppHandle, open: OpenThreadEvent) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(error) = app.emit("meridian://open-thread", open) {
        tracing::warn!(%error, "could not ask the window to open a thread");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::availability::Urgency;
    use meridian_domain::catch_up::NoticeKind;
    use meridian_domain::{MessageId, ThreadId};

    #[test]
    fn a_notice_opens_at_its_message_and_a_summary_where_the_reader_left_off() {
        let (thread, message, channel) = (ThreadId::new(), MessageId::new(), ChannelId::new());
        let reply = ReplyNotice {
            thread_id: thread,
            message_id: Some(message),
            summary: "Kofi replied in “Plan”".into(),
            body: "Done".into(),
            kind: NoticeKind::Reply,
            author: "Kofi".into(),
            thread_title: "Plan".into(),
            urgency: Urgency::Normal,
        };
        let open = opens_at(&reply, Some(channel));
        assert_eq!(
            (open.thread_id, open.channel_id, open.message_id),
            (thread.to_string(), channel.to_string(), Some(message.to_string()))
        );
        let summary = ReplyNotice { message_id: None, ..reply };
        assert_eq!(opens_at(&summary, None).message_id, None, "several messages: the first unread");
    }
}
