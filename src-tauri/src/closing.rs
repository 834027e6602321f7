//! Closing the window lets the page keep what it has not saved yet (a reply typed a moment ago,
//! before the composer's pause saved it) before the window goes.
//!
//! A close request (the title bar's ✕, Alt+F4, the tray's Quit) is held: the page is told, saves,
//! and then asks for the window to go. A page that does not answer in time (hung, or not loaded)
//! does not keep the window open: it goes after [`GRACE`] anyway.

use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewWindow, Window};

/// Tells the page that its window is about to close.
pub const CLOSING_EVENT: &str = "meridian://closing";

/// How long a close waits for the page. Saving a draft takes milliseconds; this is for a page
/// that will never answer.
const GRACE: Duration = Duration::from_millis(1500);

/// Holds a close request for `window` until its page has saved, or [`GRACE`] has passed.
pub fn hold<R: Runtime>(window: &Window<R>) {
    if let Err(error) = window.emit_to(window.label(), CLOSING_EVENT, ()) {
        tracing::warn!(%error, "could not tell the page the window is closing");
        close(window);
        return;
    }
    let window = window.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(GRACE).await;
        // A window that closed is no longer known to the app.
        if window.app_handle().get_webview_window(window.label()).is_some() {
            tracing::warn!("the page did not answer a close in time; closing anyway");
            close(&window);
        }
    });
}

/// The tray's Quit: through the page, like closing the window, when there is one.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    match app.get_webview_window("main") {
        Some(window) => {
            let window = window.as_ref().window();
            // Closing the window itself remembers its place; quitting from the tray must too.
            if let Some(state) = app.try_state::<crate::session::AppState>() {
                crate::window_state::save(&window, state.data_dir());
            }
            hold(&window);
        }
        None => app.exit(0),
    }
}

/// Closes `window` without asking again (the close it answers was already held once).
pub fn close<R: Runtime>(window: &Window<R>) {
    if let Err(error) = window.destroy() {
        tracing::debug!(%error, "the window was already gone");
    }
}

/// The page has saved what it held: the window may go.
#[tauri::command]
pub fn close_window(window: WebviewWindow) {
    close(&window.as_ref().window());
}
