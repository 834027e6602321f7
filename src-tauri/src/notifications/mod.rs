//! Native desktop notifications through the OS notification service (D-Bus on Linux).
//! Clicking one brings the window forward and opens the thread. [`Notifier`] decides when.

pub mod nudges;
mod schedule;

pub use schedule::Notifier;

use crate::views::OpenThreadEvent;
use meridian_domain::ReplyNotice;
use meridian_store::LocalStore;
use tauri::{AppHandle, Emitter, Manager};

/// The action id desktops send when the notification itself is clicked.
const DEFAULT_ACTION: &str = "default";

/// Raises `notice`; returns at once. The notification service is called off the UI thread.
pub fn show(app: AppHandle, store: LocalStore, notice: ReplyNotice) {
    tauri::async_runtime::spawn(async move {
        let channel_id = match store.thread(notice.thread_id).await {
            Ok(Some(thread)) => thread.channel_id.to_string(),
            _ => String::new(),
        };
        // A notice may stand for several replies: it opens the thread at the first unread.
        let open = OpenThreadEvent { thread_id: notice.thread_id.to_string(), channel_id, message_id: None };
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
